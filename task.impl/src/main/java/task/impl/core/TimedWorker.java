package task.impl.core;

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
 * Threading: immutable; published with the task's worker, by the runner's queue.
 */
final class TimedWorker<S, R> implements TaskWorker<S, R> {
    /** The worker runInThread was given, not null. */
    final TaskWorker<S, R> worker;
    /** {@code System.nanoTime()} when it was queued. */
    final long queuedAtNanos;

    TimedWorker(TaskWorker<S, R> worker, long queuedAtNanos) {
        this.worker = worker;
        this.queuedAtNanos = queuedAtNanos;
    }

    /** Runs the worker. Required by the interface: the task's run unwraps this instead of calling it. */
    @Override
    public void run(Task<S, R> task) throws Exception {
        worker.run(task);
    }
}
