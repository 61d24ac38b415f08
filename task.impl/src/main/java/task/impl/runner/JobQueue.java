package task.impl.runner;

import java.util.concurrent.ConcurrentLinkedQueue;

import org.jctools.queues.varhandle.MpmcVarHandleArrayQueue;

/**
 * The jobs of a {@link WorkerPool} not yet taken: unbounded, many producers,
 * many consumers, FIFO per producer, and no allocation per job while fewer
 * than {@link #ARRAY_CAPACITY} wait.
 * <p>
 * Why two queues: neither the JDK nor JCTools has an unbounded MPMC queue
 * that allocates nothing per element without {@code sun.misc.Unsafe} (which
 * JDK 24 and later warn about, JEP 498). JCTools' bounded
 * {@link MpmcVarHandleArrayQueue} (VarHandles, an array of slots with a
 * sequence each) takes the jobs while it has room; when it is full, or
 * while jobs wait in the JDK's {@link ConcurrentLinkedQueue} (a node of 24
 * bytes per job), a job goes to the latter. Consumers poll the array first.
 * So one producer's jobs keep their order: a job goes to the overflow only
 * behind the array's (full) or behind the overflow's own, and none goes to
 * the array while the overflow holds one of its jobs. A consumer takes the
 * overflow's head only after it has seen the array empty with that head
 * already queued, so every job offered to the array before it is taken:
 * between a consumer's poll of the array and its look at the overflow, the
 * array may fill again (a consumer descheduled there, while producers
 * offer thousands of jobs), and the overflow's head would then overtake
 * its producer's older jobs in the array.
 * <p>
 * What the pool relies on, and both queues give: each job is polled once
 * (polling is exclusive); an offer happens-before the poll that takes its
 * job; {@link #poll()} returns null only when both were seen empty (the
 * array's poll waits out a slot claimed but not yet written); after an
 * offer and a full fence, {@link #isEmpty()} sees the job unless it was
 * taken. Any thread.
 */
final class JobQueue {
    /**
     * The array's slots: enough for the jobs a loop posts in a burst (1,000
     * in the benchmarks) to wait without a node each; 4,096 slots of a
     * reference and a sequence cost 48 KiB per runner.
     */
    static final int ARRAY_CAPACITY = 4096;

    private final MpmcVarHandleArrayQueue<Runnable> array = new MpmcVarHandleArrayQueue<>(ARRAY_CAPACITY);
    /** Jobs in {@link Overflowed} cells, removed by identity (a job's own {@code equals} is never called). */
    private final ConcurrentLinkedQueue<Overflowed> overflow = new ConcurrentLinkedQueue<>();

    /** @param job queued, never refused */
    void offer(Runnable job) {
        if (!overflow.isEmpty() || !array.offer(job)) {
            overflow.offer(new Overflowed(job));
        }
    }

    /** @return the next job, or null if both queues were seen empty */
    Runnable poll() {
        for (;;) {
            Runnable job = array.poll();
            if (job != null) {
                return job;
            }
            Overflowed head = overflow.peek();
            if (head == null) {
                return null;
            }
            // The head was queued before this look at the array: empty, every
            // job offered to it before the head was taken (see the class comment).
            if (array.isEmpty() && overflow.remove(head)) {
                return head.job;
            }
            // The array filled again, or another consumer took the head: look again.
        }
    }

    /** @return true if both queues were seen empty */
    boolean isEmpty() {
        return array.isEmpty() && overflow.isEmpty();
    }

    /** @return the jobs waiting, approximately: the array's count and a walk of the overflow */
    int size() {
        return array.size() + overflow.size();
    }

    /** A job in the overflow: a cell of its own, so that removing it compares identities. */
    private static final class Overflowed {
        final Runnable job;

        Overflowed(Runnable job) {
            this.job = job;
        }
    }
}
