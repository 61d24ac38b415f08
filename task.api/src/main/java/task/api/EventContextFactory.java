package task.api;

import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Creates event contexts besides the default one
 * ({@code g_main_context_new}): driven by their callers, on a thread of
 * their own, or by an executor such as a UI toolkit's event thread. In OSGi
 * this service is bundle-scoped: the contexts a bundle created (adopted
 * executors included) are closed when it releases the service.
 * Threading: any thread.
 */
@ProviderType
public interface EventContextFactory {

    /**
     * Creates a context driven by its callers through
     * {@link EventContext#iterate(boolean)}.
     *
     * @param name a non-blank name, for diagnostics
     * @return the new, open context
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws IllegalStateException if the factory has been released
     */
    EventContext create(String name);

    /**
     * Creates a context and starts a thread of its own, named {@code name},
     * to drive it until it is closed.
     *
     * @param name a non-blank name, also the thread's name
     * @return the new, running context
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws IllegalStateException if the factory has been released
     */
    EventContext start(String name);

    /**
     * Makes an executor that runs what it is given on some thread of its
     * own an event context: a UI toolkit's event thread (Swing's
     * {@code EventQueue::invokeLater}, JavaFX's {@code Platform::runLater},
     * SWT's {@code display::asyncExec}) or any executor that runs its
     * runnables one at a time. Tasks, futures and timers then complete on
     * that thread, as on any context. As {@link #adopt(String, Executor, BooleanSupplier)},
     * except that {@link EventContext#inContext()} cannot know the
     * executor's thread: it is true in the thread running one of this
     * context's callbacks, while that callback runs, and false elsewhere,
     * also on the executor's thread between them. Give the executor's own
     * test where there is one. {@link EventContext#close()} takes the thread
     * that last ran one of the context's callbacks for the executor's, and
     * returns there at once.
     *
     * @param name a non-blank name, for diagnostics
     * @param executor runs the context's events; not null
     * @return the new, open context
     * @throws NullPointerException if {@code name} or {@code executor} is null
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws IllegalStateException if the factory has been released
     * @since 1.1
     */
    EventContext adopt(String name, Executor executor);

    /**
     * Makes an executor an event context, as
     * {@link #adopt(String, Executor)}, with a test for the executor's
     * thread ({@code EventQueue::isDispatchThread},
     * {@code Platform::isFxApplicationThread},
     * {@code () -> display.getThread() == Thread.currentThread()}) that
     * {@link EventContext#inContext()} returns (it is also true while one of
     * the context's callbacks runs), so that code on the executor's thread
     * outside this context's callbacks, a UI listener say, is in the context
     * too.
     * <p>
     * <b>Events:</b> each {@link EventContext#post post} hands the executor
     * one runnable ({@code executor.execute}) that runs the event, unless it
     * was cancelled first; events run in the executor's order, on its
     * thread. The executor must run what it is given one at a time and on a
     * thread other than the caller's (as every UI toolkit's does); it is
     * never called with a lock of the runtime held.
     * <p>
     * <b>Timers and watches</b> are waited for on one thread, shared by every
     * adopted context of the runtime ({@code task-executor-hops}, started at
     * the first timer or watch and ended when the last adopted context
     * closes, or with the runtime). When a timer is due or a watched channel
     * is ready, its callback is handed to the executor; a repeating timer's
     * next period, and a watch's next readiness, are waited for only after
     * its callback returned true: a callback never runs twice at once, and
     * never again after it returned false, after its source was cancelled
     * or after the context closed. A watched channel is registered with
     * that thread's selector while its watch waits for readiness, so it
     * stays in non-blocking mode while watched.
     * <p>
     * <b>Failures:</b> a callback that throws is reported to the log, and
     * nothing thrown reaches the executor. If the executor refuses a
     * runnable (throws anything, such as
     * {@link java.util.concurrent.RejectedExecutionException} or a toolkit's
     * "device is disposed"), {@code post} throws a
     * {@link java.util.concurrent.RejectedExecutionException} with that cause
     * (so a task whose completion is refused is disposed); a timer's or
     * watch's callback refused is reported, and that timer or watch ends.
     * <p>
     * <b>Driving and closing:</b> the executor drives the context, so
     * {@link EventContext#iterate(boolean)} throws
     * {@link IllegalStateException}. {@link EventContext#close()} keeps the
     * policy of every context: events already posted still run (when the
     * executor runs them), timers and watches are removed without firing
     * (their callbacks already handed to the executor are skipped), later
     * posts are refused. Called off the executor's thread (as
     * {@code inContext()} tells), close waits until the executor has run
     * everything this context handed it, for at most the close grace (then it
     * reports what is left and returns); on it, close returns at once.
     * <p>
     * Happens-before: a post happens-before its event runs; a timer's or
     * watch's registration happens-before its first callback, and each of
     * its callbacks happens-before the next; everything the context's
     * callbacks did happens-before a close that waited for them returns.
     *
     * @param name a non-blank name, for diagnostics
     * @param executor runs the context's events; not null
     * @param isExecutorThread tells whether the calling thread is the
     *        executor's; called from any thread, it must not block; not null
     * @return the new, open context
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws IllegalStateException if the factory has been released
     * @since 1.1
     */
    EventContext adopt(String name, Executor executor, BooleanSupplier isExecutorThread);
}
