package task.api;

import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An event loop driven by one thread at a time (GLib's {@code GMainContext}):
 * it runs posted events in order, one-shot and repeating timers, and I/O
 * watches on NIO selectable channels. Task completions are delivered here.
 * <p>
 * A context either runs on a thread of its own (the default context, and
 * those from {@link EventContextFactory#start(String)}) or is driven by
 * callers through {@link #iterate(boolean)} (those from
 * {@link EventContextFactory#create(String)}), which is how tests and
 * embedders such as a UI thread use it, or is driven by an executor it was
 * adopted from ({@link EventContextFactory#adopt(String, java.util.concurrent.Executor,
 * BooleanSupplier)}: a UI toolkit's event thread).
 * <p>
 * Every callback runs on the driving thread. A callback that throws is
 * reported to the log (the OSGi Log Service, or {@link System.Logger} outside
 * OSGi) and never stops the loop. Callbacks must not block (as on any event
 * loop): a context with its own thread runs its events in batches and may
 * hand the workers the callbacks start to the runner's threads only when
 * the batch ends, so a callback that blocks until such a worker has run may
 * wait long; {@link Task#waitThread()}, the one blocking wait the API
 * offers, hands them over first.
 * <p>
 * Threading: every method may be called from any thread unless it says
 * otherwise. Happens-before: registering a callback (post, timer, watch)
 * happens-before that callback runs.
 * <p>
 * In OSGi the default context is registered as a service of this type with
 * the property {@value #NAME_PROPERTY}{@code =}{@value #DEFAULT_NAME}.
 */
@ProviderType
public interface EventContext extends Executor, AutoCloseable {

    /** Service property holding a registered context's name. */
    String NAME_PROPERTY = "context.name";

    /** The name of the default context. */
    String DEFAULT_NAME = "default";

    /**
     * The context's name; a context with its own thread names the thread after it.
     *
     * @return the name
     */
    String name();

    /**
     * Posts a one-shot event (an idle source, {@code g_idle_add}). Events run
     * in the order they were posted, each exactly once unless cancelled first.
     *
     * @param event the event
     * @return a handle that can cancel the event before it runs
     * @throws java.util.concurrent.RejectedExecutionException if the context is closed
     */
    EventSource post(Runnable event);

    /**
     * Posts a one-shot event, as {@link #post(Runnable)}.
     *
     * @param event the event
     * @throws java.util.concurrent.RejectedExecutionException if the context is closed
     */
    @Override
    default void execute(Runnable event) {
        post(event);
    }

    /**
     * Runs {@code event} once after {@code delay} ({@code g_timeout_add} whose
     * function returns false).
     *
     * @param delay zero or more
     * @param event the event
     * @return a handle that cancels the timer
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws java.util.concurrent.RejectedExecutionException if the context is closed
     */
    EventSource schedule(Duration delay, Runnable event);

    /**
     * Calls {@code tick} every {@code period} for as long as it returns true
     * ({@code g_timeout_add}). The first call comes one period from now;
     * a late tick is not repeated to catch up.
     *
     * @param period more than zero
     * @param tick returns true to keep the timer, false to end it
     * @return a handle that cancels the timer
     * @throws IllegalArgumentException if {@code period} is zero or negative
     * @throws java.util.concurrent.RejectedExecutionException if the context is closed
     */
    EventSource every(Duration period, BooleanSupplier tick);

    /**
     * Watches a channel for readiness ({@code g_io_add_watch}). The channel
     * must be in non-blocking mode; it stays owned by the caller, and closing
     * it ends the watch. Several watches on one channel are allowed.
     *
     * @param channel a non-blocking channel
     * @param ops the operations to watch, a non-empty subset of
     *        {@code channel.validOps()} ({@link java.nio.channels.SelectionKey#OP_ACCEPT},
     *        {@code OP_READ}, {@code OP_WRITE}, {@code OP_CONNECT})
     * @param callback called on readiness until it returns false or the watch is cancelled
     * @return a handle that removes the watch
     * @throws IllegalArgumentException if {@code ops} is empty or not valid for
     *         the channel, or the channel is in blocking mode or closed
     * @throws java.util.concurrent.RejectedExecutionException if the context is closed
     */
    EventSource watch(SelectableChannel channel, int ops, IoCallback callback);

    /**
     * Whether the calling thread is the one driving this context now
     * ({@code g_main_context_is_owner}).
     *
     * @return true on the context's own thread, or on a thread inside
     *         {@link #iterate(boolean)} of this context; for an adopted
     *         executor, on its thread as its test tells, or else while one
     *         of this context's callbacks runs (see
     *         {@link EventContextFactory#adopt(String, java.util.concurrent.Executor)})
     */
    boolean inContext();

    /**
     * Runs one iteration in the calling thread ({@code g_main_context_iteration}):
     * waits, if {@code mayBlock}, until something is due, then dispatches
     * whatever is ready: I/O watches, due timers and the events posted so far.
     * May be nested inside a callback of the same context.
     *
     * @param mayBlock whether to wait for something to be due
     * @return true if anything was dispatched
     * @throws IllegalStateException if another thread drives the context
     *         (in particular, a context with its own thread, or one an
     *         executor drives), or it is closed
     */
    boolean iterate(boolean mayBlock);

    /**
     * Whether {@link #close()} has been called.
     *
     * @return true once closing has begun
     */
    boolean isClosed();

    /**
     * Closes the context. The policy for pending work: every event already
     * posted (task completions included) still runs, on the context's thread,
     * before the context terminates; timers and watches are removed without
     * firing. Posting afterwards throws
     * {@link java.util.concurrent.RejectedExecutionException}, except that a
     * task whose completion arrives after the close is
     * {@linkplain Task#dispose() disposed}: its callback never runs and its
     * cleanups run exactly once on the thread that returned its worker.
     * <p>
     * Called from another thread, this waits until the context has
     * terminated; called on the context's own thread, it returns at once and
     * the context terminates after the current callback. Idempotent.
     *
     * @throws UnsupportedOperationException on the default context, which the
     *         runtime owns
     */
    @Override
    void close();

    /**
     * Posts a one-shot event with a priority ({@code g_idle_add_full} and
     * {@code g_source_set_priority}; the values are {@link Priority}'s): of
     * the events pending on this context, those of a higher priority (a
     * lower number) run first, and events of one priority run in the order
     * they were posted. A task's completion is such an event, of the task's
     * priority ({@link TaskService.Builder#priority(int)}). An event waits
     * while events of a higher priority are pending, however many keep
     * coming (as in GLib). Priorities order posted events and completions
     * only: each iteration still runs I/O watches, then due timers, then
     * posted events, and an event that runs is never interrupted.
     * {@link Priority#DEFAULT} is {@link #post(Runnable)} (GLib's
     * {@code g_idle_add} uses {@code G_PRIORITY_DEFAULT_IDLE}; a plain post
     * here stays at the default, the priority of completions by default).
     * <p>
     * A context adopted from an executor
     * ({@link EventContextFactory#adopt(String, java.util.concurrent.Executor)})
     * can only order what it holds: an event of another priority, and any
     * event posted while one such is pending, is held by the context and run
     * by the next runnable it handed to the executor, best first; what the
     * executor has already been handed runs in the executor's own order.
     * <p>
     * Threading: any thread. Happens-before: this call happens-before the
     * event runs. The event runs exactly once unless cancelled first, as
     * for {@link #post(Runnable)}.
     *
     * @param event the event; not null
     * @param priority any {@code int}; see {@link Priority}
     * @return a handle that can cancel the event before it runs
     * @throws NullPointerException if {@code event} is null
     * @throws java.util.concurrent.RejectedExecutionException if the context
     *         is closed (or an adopted executor refuses the event)
     * @since 1.1
     */
    EventSource post(Runnable event, int priority);
}
