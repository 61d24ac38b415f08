package task.impl.runner;

/**
 * A job or event queued with a priority other than the default, in a
 * priority queue beside its owner's FIFO queue of default work
 * ({@link WorkerPool}, and the event contexts): ordered by priority (a lower
 * number first, as GLib's {@code G_PRIORITY_*}), then by {@code sequence},
 * the order of arrival, so that one priority stays FIFO.
 * <p>
 * Threading: {@code sequence} is written once by whoever puts the entry in
 * its queue, under that queue's guard (a lock, or the confinement of an
 * event loop's driver), before the queue compares it; the rest is final.
 */
public final class Prioritized implements Comparable<Prioritized> {
    /** The job or event. */
    public final Runnable work;
    /** Its priority; never {@link task.api.Priority#DEFAULT} (that work takes the FIFO queue). */
    public final int priority;
    /** The order of arrival among the entries of one queue; see the class comment. */
    public long sequence;

    /**
     * An entry not yet queued.
     *
     * @param work the job or event
     * @param priority its priority
     */
    public Prioritized(Runnable work, int priority) {
        this.work = work;
        this.priority = priority;
    }

    @Override
    public int compareTo(Prioritized other) {
        int byPriority = Integer.compare(priority, other.priority);
        return byPriority != 0 ? byPriority : Long.compare(sequence, other.sequence);
    }
}
