package task.impl.core;

import org.jctools.queues.varhandle.MpmcVarHandleArrayQueue;

import task.api.Task;
import task.api.TaskWorker;

/**
 * A queued worker with the time {@code runInThread} queued it, for the
 * queue time of the runs that are timed (the metrics' one in 16, or all of
 * them while JFR's worker-run event is on): made only for those, so that no
 * task carries the timestamp's eight bytes. It takes the worker's place in
 * the task until a runner thread takes it and unwraps it; whoever drops a
 * queued worker drops it alike (it is a {@link TaskWorker}).
 * <p>
 * Wrappers are reused: the runner thread that unwraps one gives it back to
 * a pool of free ones ({@link #unwrapped}), so that the timed runs allocate
 * nothing once the pool holds as many as are queued at once. A dropped
 * wrapper (a cancelled or refused job) is left to the collector; the pool
 * makes a new one when it is empty.
 * <p>
 * Threading and happens-before: the pool's poll, the writes of
 * {@link #wrap}, the task's volatile write of the worker and the runner's
 * queue publish the fields to the runner thread; its reads, the clearing in
 * {@link #unwrapped} and the pool's offer come before the next poll that
 * takes it (the JCTools queue's offer releases, its poll acquires). One
 * wrapper is in one task at a time: only its unwrapping thread, which took
 * it from the task by an exchange, gives it back.
 */
final class TimedWorker<S, R> implements TaskWorker<S, R> {
    /**
     * The free wrappers, shared by every runtime: a bounded queue, since
     * wrappers are taken by the threads that queue workers and given back
     * by runner threads. {@value #POOLED} cover the timed runs of 4,096
     * queued jobs.
     */
    private static final MpmcVarHandleArrayQueue<TimedWorker<?, ?>> FREE = new MpmcVarHandleArrayQueue<>(TimedWorker.POOLED);
    /** The most free wrappers kept. */
    static final int POOLED = 256;

    /** The worker runInThread was given; null while free. */
    TaskWorker<S, R> worker;
    /** {@code System.nanoTime()} when it was queued. */
    long queuedAtNanos;

    private TimedWorker() {
    }

    /**
     * @param worker the worker to queue; not null
     * @param queuedAtNanos the time now
     * @return a wrapper of the worker and the time, from the pool or new
     */
    @SuppressWarnings("unchecked")
    static <S, R> TimedWorker<S, R> wrap(TaskWorker<S, R> worker, long queuedAtNanos) {
        TimedWorker<S, R> timed = (TimedWorker<S, R>) FREE.relaxedPoll();
        if (timed == null) {
            timed = new TimedWorker<>();
        }
        timed.worker = worker;
        timed.queuedAtNanos = queuedAtNanos;
        return timed;
    }

    /**
     * Gives this wrapper back to the pool, once its fields have been read;
     * cleared first, so that a free wrapper holds on to no worker (nor,
     * through it, to a stopped bundle's classes). A full pool drops it.
     */
    void unwrapped() {
        worker = null;
        FREE.relaxedOffer(this);
    }

    /** Runs the worker. Required by the interface: the task's run unwraps this instead of calling it. */
    @Override
    public void run(Task<S, R> task) throws Exception {
        worker.run(task);
    }
}
