package task.impl.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.function.Consumer;

import task.api.EventContext;
import task.api.EventSource;
import task.api.TaskCallback;

/**
 * The fields of a task that most tasks never use: a name, a context or a
 * cleanup given at creation, a worker or result cleanup, an error, cancel
 * hooks and reason, whether the cancellation was made the error, a waiter,
 * the callback's thread while a cancelled task's worker still runs. {@link TaskImpl} allocates them on first use, so that
 * the common round trip (create, run a worker, complete, finish) allocates
 * one small task object and nothing else. They take the place of the task's
 * callback field (the task "inflates"), so they carry the callback too.
 * <p>
 * Each field is guarded as its task documents it: the ones set at creation
 * are final; {@code workerCleanup} is published by the task's THREADED CAS;
 * {@code error}, {@code cancellationInstalled}, {@code resultCleanup} and
 * the cancel hooks are guarded by the task's monitor; {@code cancelReason} and {@code waiter} are set by CAS;
 * {@code completer} is volatile.
 */
final class TaskExtras {
    static final VarHandle WAITER;
    static final VarHandle REASON;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WAITER = lookup.findVarHandle(TaskExtras.class, "waiter", Thread.class);
            REASON = lookup.findVarHandle(TaskExtras.class, "cancelReason", String.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The task's callback. */
    final TaskCallback<?, ?> callback;
    /** The name given at creation, or null for the default {@code "task-" + id}. */
    final String givenName;
    /** The context given at creation, or null for the owner's default. */
    final EventContext homeContext;
    /** The callback data's cleanup: given at creation, replaced by setCleanup; guarded by the task's monitor. */
    Runnable callbackCleanup;
    /** The task's group's name, for TaskInfo; null outside a group. */
    final String group;
    /** The contexts captured at creation, entered around the worker and the callback; usually null. */
    final Propagated propagated;

    Runnable workerCleanup;
    Throwable error;
    Consumer<?> resultCleanup;
    List<Runnable> cancelHooks;
    boolean cancelHooksFired;
    /** Whether the cancellation has been made the task's error (it is made once, then may be taken). */
    boolean cancellationInstalled;
    volatile String cancelReason;
    volatile Thread waiter;
    /**
     * The callback's thread, while it runs beside a cancelled task's
     * still-running worker, or for a task whose worker was dropped (see the
     * task's DROPPED).
     */
    volatile Thread completer;
    /**
     * setReturnOnCancel(false): a cancel does not post the early completion
     * while the worker runs. Written, then state read, by the toggle; state
     * CASed, then this read, by cancel (Dekker: one sees the other).
     */
    volatile boolean holdsCancelledCompletion;
    /** setCheckCancellable(false): a completion after the worker returned keeps its value. */
    volatile boolean keepsValueWhenCancelled;
    /** Where the task was created, when its owner records it (recordCreationSites); else null. */
    volatile Throwable createdAt;
    /** The builder's source tag, or null. */
    volatile Object sourceTag;
    /** The builder's priority ({@code task.api.Priority}); tasks without extras have the default. */
    volatile int priority;
    /** runInThreadSync's capture, which replaces the callback; volatile, as an early cancelled completion may read it. */
    volatile TaskCallback<?, ?> syncCallback;
    /** completeLater posted the completion once; guarded by the task's monitor. */
    boolean completionPosted;
    /** Timers and watches attached to the task, removed when it finishes; guarded by the task's monitor. */
    List<EventSource> attachedSources;

    TaskExtras(TaskCallback<?, ?> callback, String givenName, EventContext homeContext, Runnable callbackCleanup,
            String group, Propagated propagated) {
        this.callback = callback;
        this.givenName = givenName;
        this.homeContext = homeContext;
        this.callbackCleanup = callbackCleanup;
        this.group = group;
        this.propagated = propagated;
    }
}
