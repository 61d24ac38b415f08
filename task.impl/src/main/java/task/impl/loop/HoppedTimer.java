package task.impl.loop;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * A one-shot or repeating timer of an {@link ExecutorContext}: a one-shot
 * timer on the shared thread, re-armed after each tick that returned true.
 * A late tick is not repeated to catch up (as {@link EventLoop#every}).
 * <p>
 * {@code dueNanos} is written by the scheduling thread before the first
 * arming, then by the executor's thread before each re-arming; each of
 * those hands the timer on through the shared loop's queue and then the
 * executor, which order the writes before the next reads.
 */
final class HoppedTimer extends HoppedSource {
    /** The one-shot event, or null. */
    private final Runnable event;
    /** The repeating tick, or null. */
    private final BooleanSupplier tick;
    private final long periodNanos;
    private long dueNanos;

    private HoppedTimer(ExecutorContext context, Runnable event, BooleanSupplier tick, long periodNanos) {
        super(context);
        this.event = event;
        this.tick = tick;
        this.periodNanos = periodNanos;
    }

    static HoppedTimer once(ExecutorContext context, Runnable event) {
        return new HoppedTimer(context, event, null, 0);
    }

    static HoppedTimer every(ExecutorContext context, long periodNanos, BooleanSupplier tick) {
        return new HoppedTimer(context, null, tick, periodNanos);
    }

    /**
     * Arms the first time. In the scheduling thread.
     *
     * @throws RejectedExecutionException if the shared thread has stopped
     */
    void start(long delayNanos) {
        dueNanos = System.nanoTime() + delayNanos;
        arm();
    }

    private void arm() {
        long delay = Math.max(0, dueNanos - System.nanoTime());
        armed(context.hops().schedule(Duration.ofNanos(delay), this::due));
    }

    /** On the shared thread: the timer is due; its tick goes to the executor. */
    private void due() {
        if (!isActive() || !context.handFromHops(this, this::fire)) {
            cancel();
        }
    }

    /** On the executor's thread. */
    private void fire() {
        if (!isActive()) {
            return;
        }
        if (event != null) {
            if (deactivate()) {
                context.forget(this);
                event.run(); // what it throws, the context reports
            }
            return;
        }
        long now = System.nanoTime();
        boolean again;
        try {
            again = tick.getAsBoolean();
        } catch (Throwable failure) {
            context.report("a timer threw; the timer is kept", null, failure);
            again = true;
        }
        if (!again) {
            cancel();
        } else if (isActive()) {
            dueNanos = Math.max(dueNanos + periodNanos, now + 1);
            try {
                arm();
            } catch (RejectedExecutionException stopped) {
                cancel(); // the context closed meanwhile
            }
        }
    }

    @Override
    String describe() {
        return "a timer (" + (event != null ? event : tick).getClass().getName() + ")";
    }
}
