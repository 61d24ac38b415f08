package task.impl.loop;

import java.util.function.BooleanSupplier;

/**
 * A one-shot or repeating timer. Its fields other than {@code active} are
 * written by the scheduling thread before it posts the timer to the loop
 * (the queue is the happens-before edge) and confined to the loop's thread
 * afterwards.
 */
final class TimerSource extends LoopSource implements Comparable<TimerSource> {
    private final EventLoop loop;
    final BooleanSupplier tick;
    /** What the user scheduled (the event or the tick), for diagnostics. */
    final Object origin;
    /** Zero for a one-shot timer. */
    final long periodNanos;
    /** Ties between equal deadlines go to the older timer; set when the loop adds it. */
    long sequence;
    long dueNanos;

    TimerSource(EventLoop loop, long dueNanos, long periodNanos, BooleanSupplier tick, Object origin) {
        this.loop = loop;
        this.origin = origin;
        this.dueNanos = dueNanos;
        this.periodNanos = periodNanos;
        this.tick = tick;
    }

    @Override
    void cancelled() {
        loop.forget(this);
    }

    @Override
    public int compareTo(TimerSource other) {
        int byDue = Long.compare(dueNanos - other.dueNanos, 0);
        return byDue != 0 ? byDue : Long.compare(sequence, other.sequence);
    }
}
