package task.impl.loop;

/**
 * A one-shot event in an {@link EventLoop}'s queue (an idle source). It runs
 * only if the loop takes it before it is cancelled or taken back by a
 * poster whose post raced with the loop's close.
 */
final class PostedEvent extends LoopSource implements Runnable {
    /** Read by diagnostics too, from any thread: final, so safely published with the event. */
    final Runnable action;

    PostedEvent(Runnable action) {
        this.action = action;
    }

    /** Run by the loop: the action, unless the event was cancelled or taken back first. */
    @Override
    public void run() {
        if (deactivate()) {
            action.run();
        }
    }
}
