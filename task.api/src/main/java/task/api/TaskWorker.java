package task.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The blocking part of an operation, run off the event thread:
 * {@code QIOTaskWorker}.
 *
 * @param <S> the type of the task's source
 * @param <R> the type of the task's result
 */
@ConsumerType
@FunctionalInterface
public interface TaskWorker<S, R> {

    /**
     * Does the work, at most once per task, on a thread of the
     * {@link ThreadRunner} (never on an event context's thread).
     * <p>
     * The worker reports its outcome through the task:
     * {@link Task#setResult} and {@link Task#setError}. Unlike upstream, it
     * may also throw: any {@link Throwable} it throws (checked exceptions,
     * runtime exceptions and {@link Error}s alike) becomes the task's error
     * as if passed to {@link Task#setError}. A long worker should poll
     * {@link Task#isCancelled()}; it is also interrupted when the task is
     * cancelled with {@code cancel(true)} or disposed.
     * <p>
     * Happens-before: everything the worker did happens-before the task's
     * callback runs.
     *
     * @param task the task this worker runs for
     * @throws Exception any failure; it becomes the task's error
     */
    void run(Task<S, R> task) throws Exception;
}
