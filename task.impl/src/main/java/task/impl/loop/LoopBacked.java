package task.impl.loop;

/**
 * An event context that is an {@link EventLoop} underneath (the default
 * context's service object delegates to one), so that the runtime can use
 * the loop's internal fast path for task completions.
 */
public interface LoopBacked {

    /** @return the loop behind this context */
    EventLoop loop();
}
