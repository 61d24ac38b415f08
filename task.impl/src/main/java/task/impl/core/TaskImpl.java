package task.impl.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import task.api.EventContext;
import task.api.EventSource;
import task.api.IoCallback;
import task.api.Priority;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskCancelledException;
import task.api.TaskInfo;
import task.api.TaskState;
import task.api.TaskWorker;
import task.impl.jfr.TaskEvents;
import task.impl.loop.EventLoop;
import task.impl.loop.LoopBacked;
import task.impl.metrics.TaskMetrics;
import task.impl.runner.AbandonableJob;
import task.impl.runner.HeldWakeups;
import task.impl.runner.ManagedBlocking;

/**
 * A task: where it runs its worker, where it completes, and where it
 * finishes. This is the one place a task's life is decided.
 *
 * <h2>State machine</h2>
 * One {@code int state} of flags, changed only by CAS. Flags are only ever
 * added, except {@code INTERRUPTING}, which a canceller holds while it
 * interrupts the worker.
 * <pre>
 * THREADED      runInThread accepted a worker (or turned it away: see DROPPED)
 * WORKER_DONE   the worker returned (or never will run); set by the worker's
 *               thread, or by whoever dropped the job (DROPPED)
 * WAITING       a waitThread caller will run the completion itself: the
 *               worker's return and a cancel unpark it instead of posting
 * CANCELLED     cancel() won; the callback will see a TaskCancelledException
 * CLAIMED       one thread owns the completion: runs the callback, or skips it (dispose)
 * CALLBACK_DONE the callback returned, or was skipped
 * DISPOSED      dispose() (or an undeliverable completion) claimed the completion
 * FINISHING     one thread owns the cleanups (the exactly-once gate); the
 *               task's data is released: late results and errors are turned away
 * FINISHED      every cleanup ran; waiters may return
 * AWAITED       someone waits in awaitFinished; finishing then notifies the monitor
 * INTERRUPTING  a canceller is interrupting the worker; the worker may not
 *               set WORKER_DONE meanwhile, so the interrupt cannot hit the
 *               next job of a pooled thread
 * DROPPED       added with WORKER_DONE when the worker never runs and no job
 *               of this task sets WORKER_DONE: runInThread on a task already
 *               cancelled or disposed (THREADED | WORKER_DONE | DROPPED in one
 *               CAS, so that waitThread treats it as any threaded task), or a
 *               queued job taken back by a canceller, a disposer or
 *               runInThread itself (see "Dropping a queued job"); the job, if
 *               a runner thread polls it later, does nothing
 * </pre>
 * A task is ready to finish once CALLBACK_DONE is set and its worker is done
 * or never ran. Whichever CAS makes it ready also adds FINISHING, and that
 * thread runs the cleanups. Typical paths: direct: {} -> CLAIMED ->
 * CALLBACK_DONE+FINISHING -> FINISHED. Threaded: THREADED -> WORKER_DONE
 * (completion posted to the context) -> CLAIMED (on the context, or by
 * waitThread) -> CALLBACK_DONE+FINISHING -> FINISHED: five CAS per round
 * trip. Cancelled while running: THREADED -> CANCELLED (early completion
 * posted) -> CLAIMED -> CALLBACK_DONE and, in either order, WORKER_DONE;
 * whichever of the callback's thread and the worker's thread adds the second
 * of those two flags adds FINISHING with it. Cancelled while a waiter is
 * parked (WAITING): cancel posts nothing and unparks the waiter, which claims
 * at once, beside the worker, and then parks until FINISHED. Cancelled or
 * disposed while queued: THREADED -> CANCELLED (or CLAIMED+CALLBACK_DONE+
 * DISPOSED) -> the canceller drops the job -> WORKER_DONE+DROPPED (+FINISHING
 * if the callback is done or skipped), no runner thread involved. Turned
 * away: CANCELLED or DISPOSED -> THREADED+WORKER_DONE+DROPPED in runInThread.
 *
 * <h2>Dropping a queued job</h2>
 * {@code workerOrThread} holds the worker exactly while the job is queued.
 * A canceller or disposer (after its state CAS), runInThread (after it
 * published the worker, if it then sees a cancellation) and abandon take the
 * worker back by a CAS from the worker to null; the runner's run() takes it
 * by an exchange with its thread. Exactly one of them gets it. A taker other
 * than the runner then sets WORKER_DONE+DROPPED itself (abandon instead
 * returns the worker as if it had run, with its error). A runner whose
 * exchange finds no worker puts null back and leaves the task alone. The
 * runner's queue still references the task until it polls the job: the task
 * object only, its source, data and cleanups already released.
 *
 * <h2>Exactly once</h2>
 * The callback runs only in the thread whose CAS added CLAIMED; the cleanups
 * run only in the thread whose CAS added FINISHING. A posted completion that
 * loses the claim does nothing.
 *
 * <h2>Happens-before</h2>
 * Fields written before a CAS on {@code state} are visible to whoever later
 * reads a state containing that CAS's flag: the worker's cleanup and its
 * context written before THREADED (the worker itself goes to the runner
 * through its queue); everything the worker did before
 * WORKER_DONE (so the callback, which claims after WORKER_DONE, sees it).
 * A dropped job ran nothing: its WORKER_DONE publishes nothing of a worker;
 * the worker's cleanup, which the dropper may run, was published by THREADED.
 * Against the job's runner: the runner writes {@code workerOrThread}, then
 * reads {@code state}; cancel and dispose CAS {@code state}, then read
 * {@code workerOrThread}; runInThread writes the field, then reads
 * {@code state}: in each pair one sees the other (Dekker), so a cancellation
 * either reaches the worker (flag, interrupt) or drops its job. A waiter
 * announces itself (the waiter field, then WAITING) before it parks; cancel
 * reads WAITING in its CAS and then the waiter field; the worker's return
 * likewise; finishOwned adds FINISHED, then reads the waiter field.
 * The result and the error are in addition guarded by {@code this}, since a
 * worker and a cancelled callback may touch them at the same time; under
 * that lock, FINISHING turns late writes away once the cleanups take them.
 *
 * <h2>One object per round trip</h2>
 * The task is itself the job its runner runs and the completion its context
 * runs ({@link #run()} tells them apart by WORKER_DONE, which only the job
 * sets when it has run, or a dropper with DROPPED, for which run() does
 * nothing), and the fields few tasks use live in {@link TaskExtras}, allocated
 * on first use in place of the callback field, which they then hold; the
 * worker and the thread running it share a field, since the worker is not
 * needed once its thread runs it; the creation time is kept in tenths of a
 * second. The object is 56 bytes (compressed references), as small as the
 * nodes and lambdas a plain executor hand-off allocates. Only the runtime calls
 * {@code run()}; callers see {@link Task}.
 */
final class TaskImpl<S, R> implements Task<S, R>, AbandonableJob {
    private static final int THREADED = 1;
    private static final int WORKER_DONE = 1 << 1;
    private static final int WAITING = 1 << 2;
    private static final int CANCELLED = 1 << 3;
    private static final int CLAIMED = 1 << 4;
    private static final int CALLBACK_DONE = 1 << 5;
    private static final int DISPOSED = 1 << 6;
    private static final int FINISHING = 1 << 7;
    private static final int FINISHED = 1 << 8;
    private static final int INTERRUPTING = 1 << 9;
    private static final int AWAITED = 1 << 10;
    private static final int DROPPED = 1 << 11;

    private static final VarHandle STATE;
    private static final VarHandle CALLBACK_OR_EXTRAS;
    private static final VarHandle WORKER_OR_THREAD;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(TaskImpl.class, "state", int.class);
            CALLBACK_OR_EXTRAS = lookup.findVarHandle(TaskImpl.class, "callbackOrExtras", Object.class);
            WORKER_OR_THREAD = lookup.findVarHandle(TaskImpl.class, "workerOrThread", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final long id;
    final TaskFactory owner;
    /** Tenths of a second from the table's epoch to the task's creation; see {@link TaskTable#createdTenths()}. */
    private final int createdTenths;
    /** The task's slot in the task table; guarded by the table. */
    int tableSlot;

    /** Cleared when the task finishes: the task's reference on its source. */
    private volatile S source;
    /** Published by the CAS adding THREADED (see the class comment). */
    private EventContext workerContext;
    /** Guarded by this. */
    private R result;

    private volatile int state;
    /**
     * The {@link TaskWorker}, from runInThread until a runner thread takes
     * it (or a canceller drops the job: null then); then the {@link Thread}
     * running the task's code: its worker's while it runs, then the
     * callback's while that runs; null between. A callback that runs while
     * the worker still runs (a cancelled task), or of a task whose job was
     * dropped, is recorded in the extras instead, so a Thread here before
     * WORKER_DONE is the worker's (but for the instant a runner that lost
     * the job to a dropper holds it, see leaveDropped). Taken by CAS or
     * exchange (see "Dropping a queued job").
     */
    private volatile Object workerOrThread;
    /**
     * The callback, until a rarely used field is needed: then the
     * {@link TaskExtras}, which hold the callback. Changes once, by CAS.
     */
    private volatile Object callbackOrExtras;

    /**
     * @param extras the extras the task starts with (a name, context or
     *        cleanup given at creation, and {@code callback}), or null
     */
    TaskImpl(long id, TaskFactory owner, S source, TaskCallback<S, R> callback, TaskExtras extras) {
        this.id = id;
        this.owner = owner;
        this.source = source;
        this.callbackOrExtras = extras != null ? extras : callback;
        this.createdTenths = owner.table().createdTenths();
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String name() {
        TaskExtras x = extrasOrNull();
        return x != null && x.givenName != null ? x.givenName : "task-" + id;
    }

    @Override
    public S source() {
        S current = source;
        if (current == null || (state & FINISHING) != 0) {
            throw finished("source");
        }
        return current;
    }

    /** @return the extras, allocating them on first use (any thread) */
    private TaskExtras extras() {
        Object current = callbackOrExtras;
        if (current instanceof TaskExtras) {
            return (TaskExtras) current;
        }
        TaskExtras inflated = new TaskExtras((TaskCallback<?, ?>) current, null, null, null, null, null);
        if (CALLBACK_OR_EXTRAS.compareAndSet(this, current, inflated)) {
            return inflated;
        }
        return (TaskExtras) callbackOrExtras; // another thread inflated it: the only change there is
    }

    /** @return the extras, or null if none were needed yet */
    /** @return the contexts to enter around the worker and the callback, or null */
    private Propagated propagated() {
        TaskExtras x = extrasOrNull();
        return x == null ? null : x.propagated;
    }

    /** @return the name of the task's group, or null */
    private String groupName() {
        TaskExtras x = extrasOrNull();
        return x == null ? null : x.group;
    }

    /**
     * Whether the task failed on its own: an error other than a cancellation,
     * not yet taken. For a group's cancel-on-failure, from the callback's
     * thread before the callback runs; does not take the error.
     */
    synchronized boolean failedOnItsOwn() {
        TaskExtras x = extrasOrNull();
        return (state & (CANCELLED | DISPOSED)) == 0 && x != null && x.error != null
                && !(x.error instanceof TaskCancelledException);
    }

    private TaskExtras extrasOrNull() {
        Object current = callbackOrExtras;
        return current instanceof TaskExtras ? (TaskExtras) current : null;
    }

    @SuppressWarnings("unchecked")
    private TaskCallback<S, R> callback() {
        Object current = callbackOrExtras;
        if (current instanceof TaskExtras) {
            TaskExtras x = (TaskExtras) current;
            return (TaskCallback<S, R>) (x.syncCallback != null ? x.syncCallback : x.callback);
        }
        return (TaskCallback<S, R>) current;
    }

    /** Where a cancelled completion goes before runInThread names a context. */
    private EventContext homeContext() {
        TaskExtras x = extrasOrNull();
        return x != null && x.homeContext != null ? x.homeContext : owner.defaultContext();
    }

    // ------------------------------------------------------------------ running in a thread

    @Override
    public void runInThread(TaskWorker<S, R> worker, Runnable cleanup, EventContext context) {
        Objects.requireNonNull(worker, "worker");
        EventContext target = context != null ? context : owner.defaultContext();
        for (;;) {
            int s = state;
            if ((s & (CANCELLED | DISPOSED)) != 0) {
                // Too late to run: the worker's data is released at once. The
                // task still comes to run in a thread, one whose worker never
                // runs (THREADED | WORKER_DONE | DROPPED), so that waitThread
                // after this call waits for the task's end as after any other.
                if ((s & THREADED) == 0) {
                    TaskExtras x = extrasOrNull();
                    if (cleanup != null && x != null) {
                        x.workerCleanup = null; // an earlier attempt's: it runs here, not when finishing
                    }
                    if (!STATE.compareAndSet(this, s, s | THREADED | WORKER_DONE | DROPPED)) {
                        continue;
                    }
                }
                runLateCleanup(cleanup);
                return;
            }
            if ((s & FINISHING) != 0) {
                throw finished("runInThread");
            }
            if ((s & THREADED) != 0) {
                throw new IllegalStateException(describe() + ": runInThread: the task already runs in a thread");
            }
            if ((s & CLAIMED) != 0) {
                throw new IllegalStateException(describe() + ": runInThread: the task is completing");
            }
            // Written before the CAS that publishes them; a failed attempt's
            // writes are never read, since no reader sees THREADED for it.
            this.workerContext = target;
            if (cleanup != null) {
                extras().workerCleanup = cleanup;
            }
            if (STATE.compareAndSet(this, s, s | THREADED)) {
                break;
            }
        }
        // Only now: the field may hold a callback's thread until THREADED is
        // ours. The runner's queue publishes it to the thread that runs it.
        // A worker that is itself a Thread is wrapped, so that a Thread in the
        // field always means one running the task.
        TaskWorker<S, R> queued = worker instanceof Thread ? (TaskWorker<S, R>) worker::run : worker;
        if (owner.counts() != null && TaskMetrics.sampled()
                || TaskEvents.AVAILABLE && TaskEvents.workerRunsEnabled()) {
            queued = TimedWorker.wrap(queued, System.nanoTime()); // the queue time, for the metrics and the JFR event
        }
        workerOrThread = queued;
        // Dekker with cancel and dispose, which write state and then read the
        // field: one whose read came before the write above could not drop
        // the job, and this read then sees its flag and drops it here.
        if ((state & (CANCELLED | DISPOSED)) != 0 && takeQueuedWorker()) {
            workerDropped();
            return;
        }
        try {
            // The default priority keeps the runner's one-argument path, which
            // never looks at priorities (GTask's G_PRIORITY_DEFAULT).
            int priority = priority();
            if (priority == Priority.DEFAULT) {
                owner.runner().execute(this);
            } else {
                owner.runner().execute(this, priority);
            }
        } catch (RejectedExecutionException refused) {
            abandon(refused);
        }
    }

    /**
     * The runner's job (the worker) until WORKER_DONE, the context's posted
     * completion after: only the job sets WORKER_DONE, and the completion is
     * posted only after it, so the two never mix up.
     */
    @Override
    public void run() {
        int s = state;
        if ((s & WORKER_DONE) != 0) {
            if ((s & DROPPED) == 0) {
                deliver();
            } // else a job dropped before a runner thread reached it: the task ended without it
            return;
        }
        // An exchange, not a plain store: against the CAS of a canceller
        // taking the worker back (takeQueuedWorker), exactly one of the two
        // gets it. It replaces a volatile store, which is as dear (one locked
        // instruction on x86); no CAS is added to the round trip.
        Object taken = WORKER_OR_THREAD.getAndSet(this, Thread.currentThread());
        if (!(taken instanceof TaskWorker)) {
            leaveDropped();
            return;
        }
        @SuppressWarnings("unchecked")
        TaskWorker<S, R> queued = (TaskWorker<S, R>) taken;
        TimedWorker<S, R> timed = queued instanceof TimedWorker ? (TimedWorker<S, R>) queued : null;
        TaskWorker<S, R> worker = timed != null ? timed.worker : queued;
        long queuedAtNanos = timed != null ? timed.queuedAtNanos : Long.MIN_VALUE; // MIN_VALUE: not timed
        if (timed != null) {
            timed.unwrapped(); // read: back to the pool (the exchange above made it this thread's alone)
        }
        // The thread is written before state is read here, and cancel
        // writes state before reading the thread: one of them sees the other.
        if ((state & (CANCELLED | DISPOSED)) == 0) {
            Object event = TaskEvents.AVAILABLE ? TaskEvents.beginWorkerRun() : null;
            // Times the runs runInThread timestamped (TaskMetrics.sampled, or
            // for JFR): the counts stay exact. The timestamp came with the
            // worker, through the runner's queue.
            TaskMetrics.Counts counts = queuedAtNanos != Long.MIN_VALUE ? owner.counts() : null;
            long startedNanos = event != null || counts != null ? System.nanoTime() : 0;
            String outcome = "returned";
            try {
                Propagated propagated = propagated();
                if (propagated == null) {
                    worker.run(this);
                } else {
                    propagated.around(() -> worker.run(this));
                }
            } catch (Throwable failure) {
                outcome = "failed";
                addError(failure);
            }
            if (counts != null) {
                workerRan(counts, queuedAtNanos, startedNanos);
            }
            if (event != null) {
                TaskEvents.endWorkerRun(event, id, name(), owner.ownerName(), operation(), queuedAtNanos,
                        startedNanos,
                        isCancelled() ? "cancelled" : outcome);
            }
        }
        workerOrThread = null;
        workerReturned();
    }

    @Override
    public void abandon(RejectedExecutionException why) {
        if (takeQueuedWorker()) {
            addError(why);
            workerReturned();
        } // else a canceller or disposer dropped the job: the task ends without it
    }

    /**
     * Takes the worker back from its queued job, if no runner thread has
     * taken it yet: a CAS from the worker to null, against the runner's
     * exchange in {@link #run()} and the other takers (a canceller or
     * disposer, runInThread, abandon), so exactly one of them gets it. The
     * field holds a {@link TaskWorker} only while the job is queued.
     *
     * @return true if this call took it: the worker never runs
     */
    private boolean takeQueuedWorker() {
        Object queued = workerOrThread;
        return queued instanceof TaskWorker && WORKER_OR_THREAD.compareAndSet(this, queued, null);
    }

    /**
     * After this thread dropped the job ({@link #takeQueuedWorker}): marks
     * the worker done without it, in place of the job, and finishes the task
     * if that makes it ready (its callback has returned, or was skipped by a
     * disposal). The job, when a runner thread polls it, then does nothing.
     */
    private void workerDropped() {
        int s = addFlagsFinishingIfReady(WORKER_DONE | DROPPED);
        if (ownsFinishing(s, WORKER_DONE)) {
            report(finishOwned(s | WORKER_DONE | DROPPED | FINISHING, null));
        }
    }

    /**
     * In a runner thread whose exchange found the job dropped: puts the
     * field back (after a drop nobody else writes it: a callback's thread
     * goes to the extras) and leaves the ended task alone. A disposer that
     * read this thread there meanwhile may be interrupting it: wait for that
     * to end (INTERRUPTING) and clear the interrupt, so that it cannot reach
     * the thread's next job. Dekker as for the worker: the field written,
     * then state read; the interrupter writes state, then reads the field.
     */
    private void leaveDropped() {
        workerOrThread = null;
        while ((state & INTERRUPTING) != 0) {
            Thread.onSpinWait();
        }
        Thread.interrupted();
    }

    private void workerReturned() {
        int s = addFlagsFinishingIfReady(WORKER_DONE);
        // An interrupt meant for this worker must not reach the thread's next job.
        Thread.interrupted();
        if (ownsFinishing(s, WORKER_DONE)) {
            report(finishOwned(s | WORKER_DONE | FINISHING, null));
        } else if ((s & CLAIMED) != 0) {
            return; // the callback is running and will finish the task
        } else if ((s & WAITING) != 0) {
            LockSupport.unpark(extrasOrNull().waiter);
        } else if ((s & CANCELLED) == 0 || holdsCancelledCompletion()) {
            // Held back (setReturnOnCancel(false)): cancel posted nothing, or
            // posted before the hold, and then this copy loses the claim.
            schedule(workerContext, this);
        } // else: cancel() has already posted the completion
    }

    /**
     * Posts the completion to {@code context}; a closed context disposes the
     * task. The completion claims before it runs the callback, so a copy that
     * loses to a waiter, a disposal or the drain of a closing context does
     * nothing: no handle is kept to take it back.
     */
    private void schedule(EventContext context, Runnable completion) {
        try {
            EventLoop loop = context instanceof EventLoop ? (EventLoop) context
                    : context instanceof LoopBacked ? ((LoopBacked) context).loop() : null;
            int priority = priority();
            if (priority == Priority.DEFAULT) {
                if (loop != null) {
                    loop.postClaimed(completion);
                } else {
                    context.post(completion);
                }
            } else if (loop != null) {
                loop.postClaimed(completion, priority);
            } else {
                context.post(completion, priority);
            }
        } catch (RejectedExecutionException closed) {
            if (disposeQuietly(false)) {
                owner.reporter().warn(describe() + ": its context '" + context.name()
                        + "' is closed; the task is disposed without its callback", null);
            }
        }
    }

    /** The posted completion, on the context's thread. */
    private void deliver() {
        int claimed = claim();
        if (claimed >= 0) {
            report(runCallbackAndFinish(claimed));
        }
    }

    // ------------------------------------------------------------------ completing

    @Override
    public void complete() {
        int s = state;
        if ((s & (CANCELLED | DISPOSED)) != 0) {
            return;
        }
        if ((s & FINISHING) != 0) {
            throw finished("complete");
        }
        if ((s & THREADED) != 0) {
            throw new IllegalStateException(describe() + ": complete: the task runs in a thread, so its context"
                    + " completes it (waitThread() completes it here)");
        }
        int claimed = claim(CANCELLED);
        if (claimed < 0) {
            if ((state & (CANCELLED | DISPOSED)) != 0) {
                return;
            }
            throw new IllegalStateException(describe() + ": complete: the task is already completing");
        }
        rethrow(Failures.first(runCallbackAndFinish(claimed)));
    }

    /**
     * Adds CLAIMED unless present.
     *
     * @return the state with CLAIMED, or -1 if another thread holds the claim
     */
    private int claim() {
        return claim(0);
    }

    /** As {@link #claim()}, but also refused (-1) while any of {@code refused} is set. */
    private int claim(int refused) {
        for (;;) {
            int s = state;
            if ((s & (CLAIMED | refused)) != 0) {
                return -1;
            }
            if (STATE.compareAndSet(this, s, s | CLAIMED)) {
                return s | CLAIMED;
            }
        }
    }

    /** In the claiming thread: the callback, then the cleanups if the worker is done. */
    private Failures runCallbackAndFinish(int claimed) {
        if (cancellationApplies(claimed)) {
            installCancellation();
        }
        // Beside a worker that may still run (a cancelled task), or of a task
        // whose worker was dropped, the callback's thread goes to the extras,
        // so that workerOrThread stays the worker's (or, dropped, untouched).
        boolean besideWorker = (claimed & THREADED) != 0 && (claimed & (WORKER_DONE | DROPPED)) != WORKER_DONE;
        Thread me = Thread.currentThread();
        if (besideWorker) {
            extras().completer = me;
        } else {
            workerOrThread = me;
        }
        Failures failure = null;
        Object event = TaskEvents.AVAILABLE ? TaskEvents.beginCompletion() : null;
        TaskMetrics.Counts counts = owner.counts();
        TaskMetrics.Outcome ended = event == null && counts == null ? null
                : cancellationApplies(claimed) ? TaskMetrics.Outcome.CANCELLED
                : hasError() ? TaskMetrics.Outcome.FAILED : TaskMetrics.Outcome.SUCCEEDED;
        if (counts != null) {
            // Counted before the callback runs, so that whatever the callback
            // makes happen after it (a test's latch, a caller's join) sees it.
            countEnded(counts, ended);
        }
        String outcome = event == null ? null : ended.name().toLowerCase(java.util.Locale.ROOT);
        try {
            Propagated propagated = propagated();
            if (propagated == null) {
                callback().onComplete(this);
            } else {
                propagated.around(() -> callback().onComplete(this));
            }
        } catch (Throwable thrown) {
            failure = Failures.add(null, Failures.CALLBACK, thrown);
        } finally {
            if (besideWorker) {
                extrasOrNull().completer = null;
            } else {
                workerOrThread = null;
            }
            if (event != null) {
                TaskEvents.endCompletion(event, id, name(), owner.ownerName(), operation(), outcome);
            }
        }
        int s = addFlagsFinishingIfReady(CALLBACK_DONE);
        if (ownsFinishing(s, CALLBACK_DONE)) {
            failure = finishOwned(s | CALLBACK_DONE | FINISHING, failure);
        }
        return failure;
    }

    /**
     * Makes a {@link TaskCancelledException} the task's error, the earlier
     * error suppressed in it, once: whichever comes first of the cancelled
     * callback's claim and a propagateError() that sees CANCELLED, so both
     * hand out the same object. CANCELLED is only set before any claim, and
     * the reason before CANCELLED (see cancel), so it is read complete here.
     */
    private synchronized void installCancellation() {
        TaskExtras x = extras();
        if (x.cancellationInstalled) {
            return;
        }
        x.cancellationInstalled = true;
        TaskCancelledException cancelled = new TaskCancelledException(name(), x.cancelReason);
        if (x.error != null) {
            cancelled.addSuppressed(x.error);
        }
        x.error = cancelled;
    }

    // ------------------------------------------------------------------ finishing

    /** @return true if the callback is done and the worker is done or never ran */
    private static boolean readyToFinish(int s) {
        return (s & CALLBACK_DONE) != 0 && ((s & THREADED) == 0 || (s & WORKER_DONE) != 0);
    }

    /**
     * Adds {@code flags} and, if that makes the task ready to finish while
     * nobody finishes it yet, FINISHING too, in the same CAS. WORKER_DONE
     * waits while a canceller is interrupting the worker.
     *
     * @return the state before the CAS; see {@link #ownsFinishing}
     */
    private int addFlagsFinishingIfReady(int flags) {
        for (;;) {
            int s = state;
            if ((flags & WORKER_DONE) != 0 && (s & INTERRUPTING) != 0) {
                Thread.onSpinWait();
                continue;
            }
            int next = s | flags;
            if ((next & FINISHING) == 0 && readyToFinish(next)) {
                next |= FINISHING;
            }
            if (STATE.compareAndSet(this, s, next)) {
                return s;
            }
        }
    }

    /** @return true if the CAS of {@link #addFlagsFinishingIfReady} from {@code before} added FINISHING */
    private static boolean ownsFinishing(int before, int flags) {
        return (before & FINISHING) == 0 && readyToFinish(before | flags);
    }

    /**
     * Releases everything, in the documented order, in the one thread whose
     * CAS added FINISHING.
     *
     * @param s the state that CAS set
     * @param primary the callback's failure, to report first, or null
     * @return what threw, or null
     */
    private Failures finishOwned(int s, Failures primary) {
        Failures failure = primary;
        TaskExtras x = extrasOrNull();
        if (x != null) {
            Runnable dataCleanup;
            List<EventSource> attached;
            synchronized (this) { // setCleanup and attach* write them under the monitor, before FINISHING
                dataCleanup = x.callbackCleanup;
                x.callbackCleanup = null;
                attached = x.attachedSources;
                x.attachedSources = null;
            }
            if (attached != null) {
                for (EventSource source : attached) {
                    source.cancel(); // EventSource.cancel never throws; a fired one returns false
                }
            }
            // workerCleanup was published by THREADED.
            if ((s & THREADED) != 0) {
                failure = Failures.run(x.workerCleanup, Failures.WORKER_CLEANUP, failure);
            }
            failure = Failures.run(dataCleanup, Failures.CALLBACK_CLEANUP, failure);
        }
        R lastResult;
        Consumer<? super R> lastCleanup = null;
        Throwable untaken = null;
        synchronized (this) {
            lastResult = result;
            result = null;
            x = extrasOrNull();
            if (x != null) {
                lastCleanup = resultCleanupOf(x);
                untaken = x.error;
                x.resultCleanup = null;
                x.error = null;
                if ((s & (CANCELLED | DISPOSED)) == 0) {
                    x.cancelHooks = null;
                } // else the canceller's fireCancelHooks, maybe not yet run, takes them
            }
        }
        failure = Failures.accept(lastCleanup, lastResult, Failures.RESULT_CLEANUP, failure);
        if (untaken != null) {
            owner.untakenError(describe(), isCancelled(), untaken);
        }
        source = null;
        int finished = addFlags(FINISHED);
        // Listings stopped showing the task at FINISHING; it leaves the table
        // only once FINISHED, so that an owner going away (which waits for
        // FINISHED of each task in the table) still waits for its cleanups.
        owner.finished(this);
        x = extrasOrNull();
        Thread waiting = x == null ? null : x.waiter;
        if (waiting != null) {
            LockSupport.unpark(waiting);
        }
        if ((finished & AWAITED) != 0) {
            // Both flags are set by CAS on one field: whichever came second sees the other.
            synchronized (this) {
                notifyAll();
            }
        }
        return failure;
    }

    /** The result's cleanup, stored for this task's result type by {@link #setResult}. */
    @SuppressWarnings("unchecked")
    private Consumer<? super R> resultCleanupOf(TaskExtras x) {
        return (Consumer<? super R>) x.resultCleanup;
    }

    /**
     * Waits until the task has finished (its worker returned, its callback
     * returned, every cleanup ran), so that none of its owner's code runs any
     * more; for an owner going away. Returns at once in the task's own worker
     * or callback, which would wait for itself.
     *
     * @param deadlineNanos the {@link System#nanoTime()} to give up at
     * @return false if the task had not finished by then
     */
    boolean awaitFinished(long deadlineNanos) {
        if (runsHere(Thread.currentThread())) {
            return true;
        }
        if ((addFlags(AWAITED) & FINISHED) != 0) {
            return true;
        }
        HeldWakeups.releaseHeld(); // the task's worker may wait for a wake-up this thread holds
        // A pool worker waiting here may be replaced meanwhile: the task's worker may be queued behind it.
        boolean managed = ManagedBlocking.begin();
        try {
            synchronized (this) {
                while ((state & FINISHED) == 0) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
            }
        } finally {
            ManagedBlocking.end(managed);
        }
        return true;
    }

    /** @return true if {@code thread} runs this task's worker or callback now */
    private boolean runsHere(Thread thread) {
        TaskExtras x = extrasOrNull();
        return workerOrThread == thread || (x != null && x.completer == thread);
    }

    // ------------------------------------------------------------------ errors and results

    @Override
    public void setError(Throwable error) {
        if (error != null && !addError(error)) {
            if (!isCancelled()) {
                throw finished("setError");
            }
            owner.reporter().debug(describe() + ": an error arrived after the task ended; dropped", error);
        }
    }

    @Override
    public void setPrefixedError(String prefix, Throwable error) {
        Objects.requireNonNull(prefix, "prefix");
        setError(error == null ? null : PrefixedError.of(prefix, error));
    }

    /** @return false if the task's data is already released */
    private synchronized boolean addError(Throwable failure) {
        if ((state & FINISHING) != 0) {
            return false;
        }
        TaskExtras x = extras();
        if (x.error == null) {
            x.error = failure;
        } else if (x.error != failure) {
            x.error.addSuppressed(failure);
        }
        return true;
    }

    @Override
    public synchronized Throwable propagateError() {
        int s = state;
        if ((s & FINISHING) != 0) {
            throw finished("propagateError");
        }
        if (cancellationApplies(s)) {
            installCancellation(); // the callback may not have claimed yet
        }
        TaskExtras x = extrasOrNull();
        if (x == null) {
            return null;
        }
        Throwable taken = x.error;
        x.error = null;
        return taken;
    }

    @Override
    public void setResult(R result, Consumer<? super R> cleanup) {
        R replaced;
        Consumer<? super R> replacedCleanup;
        synchronized (this) {
            if ((state & FINISHING) == 0) {
                TaskExtras x = extrasOrNull();
                replaced = this.result;
                replacedCleanup = x == null ? null : resultCleanupOf(x);
                this.result = result;
                if (cleanup != null) {
                    extras().resultCleanup = cleanup;
                } else if (x != null) {
                    x.resultCleanup = null;
                }
                if (replaced == result) {
                    return; // the same object again: nothing to release
                }
            } else if (isCancelled()) {
                // Late: the cleanups have run, so this result is released at once.
                replaced = result;
                replacedCleanup = cleanup;
            } else {
                throw finished("setResult");
            }
        }
        if (replacedCleanup != null) {
            replacedCleanup.accept(replaced);
        }
    }

    @Override
    public synchronized R result() {
        int s = state;
        if ((s & FINISHING) != 0) {
            throw finished("result");
        }
        return cancellationApplies(s) ? null : result;
    }

    @Override
    public R takeResult() {
        return takeResultAndCleanup().value();
    }

    /**
     * Takes the result and its cleanup out of the task, as one step: for a
     * future that may still have to release the result if it cannot reach
     * its taker ({@link FutureTasks#future}).
     */
    synchronized TakenResult<R> takeResultAndCleanup() {
        if ((state & FINISHING) != 0) {
            throw finished("takeResult");
        }
        if (cancellationApplies(state)) {
            return new TakenResult<>(null, null);
        }
        TaskExtras x = extrasOrNull();
        TakenResult<R> taken = new TakenResult<>(result, x == null ? null : resultCleanupOf(x));
        result = null;
        if (x != null) {
            x.resultCleanup = null;
        }
        return taken;
    }

    /** A result taken out of its task, and the cleanup that was to release it (or null). */
    record TakenResult<R>(R value, Consumer<? super R> cleanup) {
    }

    /** The context the callback runs on, as far as known now (runInThread may still name another). */
    EventContext callbackContext() {
        EventContext worker = workerContext;
        return worker != null ? worker : homeContext();
    }

    // ------------------------------------------------------------------ cancelling and disposing

    @Override
    public boolean cancel(boolean interruptWorker, String reason) {
        int s;
        boolean running;
        for (;;) {
            s = state;
            if ((s & (CLAIMED | CANCELLED | DISPOSED | FINISHING)) != 0) {
                return false;
            }
            if (reason != null) {
                TaskExtras.REASON.compareAndSet(extras(), null, reason);
            }
            running = (s & THREADED) != 0 && (s & WORKER_DONE) == 0;
            int next = s | CANCELLED | (running && interruptWorker ? INTERRUPTING : 0);
            if (STATE.compareAndSet(this, s, next)) {
                break;
            }
        }
        boolean dropped = running && stopWorker(interruptWorker);
        fireCancelHooks();
        if ((s & THREADED) == 0) {
            schedule(homeContext(), this::deliver);
        } else if (running && !dropped && holdsCancelledCompletion()) {
            return true; // setReturnOnCancel(false): the worker's return completes the task
        } else if (running && (s & WAITING) != 0) {
            // The waiter runs the cancelled callback now, beside the worker.
            // It announced itself (waiter, then WAITING) before this CAS saw
            // WAITING, so the field is set.
            LockSupport.unpark(extrasOrNull().waiter);
        } else if (running) {
            schedule(workerContext, this::deliver);
        } // else the worker has returned: its completion is posted, or its waiter woken
        return true;
    }

    /**
     * For a canceller or disposer whose CAS found the worker not done: drops
     * the job if it is still queued (the task then ends without a runner
     * thread), else interrupts the worker's thread if {@code interrupting}
     * (that CAS added INTERRUPTING, removed here).
     */
    private boolean stopWorker(boolean interrupting) {
        boolean dropped = takeQueuedWorker();
        if (interrupting) {
            Object running = workerOrThread;
            if (!dropped && running instanceof Thread) {
                ((Thread) running).interrupt();
            }
            int s;
            do {
                s = state;
            } while (!STATE.compareAndSet(this, s, s & ~INTERRUPTING));
        }
        if (dropped) {
            workerDropped();
        }
        return dropped;
    }

    /** Whether setReturnOnCancel(false) holds a cancelled completion back until the worker returns. */
    private boolean holdsCancelledCompletion() {
        TaskExtras x = extrasOrNull();
        return x != null && x.holdsCancelledCompletion;
    }

    @Override
    public void onCancel(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        synchronized (this) {
            TaskExtras x = extras();
            if (!x.cancelHooksFired) {
                if ((state & FINISHING) != 0 && !isCancelled()) {
                    throw finished("onCancel");
                }
                if (x.cancelHooks == null) {
                    x.cancelHooks = new ArrayList<>(2);
                }
                x.cancelHooks.add(hook);
                return;
            }
        }
        report(Failures.run(hook, Failures.CANCEL_HOOK, null));
    }

    /** Runs the cancel hooks once, in the thread whose cancel or dispose won. */
    private void fireCancelHooks() {
        List<Runnable> hooks;
        synchronized (this) {
            TaskExtras x = extras();
            if (x.cancelHooksFired) {
                return;
            }
            x.cancelHooksFired = true;
            hooks = x.cancelHooks;
            x.cancelHooks = null;
        }
        if (hooks != null) {
            for (Runnable hook : hooks) {
                report(Failures.run(hook, Failures.CANCEL_HOOK, null));
            }
        }
    }

    @Override
    public boolean isCancelled() {
        return (state & (CANCELLED | DISPOSED)) != 0;
    }

    @Override
    public boolean dispose() {
        return disposeQuietly(true);
    }

    private boolean disposeQuietly(boolean interrupt) {
        int s;
        int next;
        boolean running;
        for (;;) {
            s = state;
            if ((s & CLAIMED) != 0) {
                return false;
            }
            running = (s & THREADED) != 0 && (s & WORKER_DONE) == 0;
            next = s | CLAIMED | CALLBACK_DONE | DISPOSED | (running && interrupt ? INTERRUPTING : 0);
            if (!running) {
                next |= FINISHING; // ready to finish, and CLAIMED was ours to add: nobody finishes yet
            }
            if (STATE.compareAndSet(this, s, next)) {
                break;
            }
        }
        fireCancelHooks();
        TaskMetrics.Counts counts = owner.counts();
        if (counts != null) {
            countEnded(counts, TaskMetrics.Outcome.DISPOSED);
        }
        if (TaskEvents.AVAILABLE) {
            Object event = TaskEvents.beginCompletion();
            if (event != null) {
                TaskEvents.endCompletion(event, id, name(), owner.ownerName(), operation(), "disposed");
            }
        }
        if (running) {
            // Dropped if still queued, and finished here; else the worker's
            // thread finishes the task when the worker returns.
            stopWorker(interrupt);
        } else {
            report(finishOwned(next, null));
        }
        return true;
    }

    // ------------------------------------------------------------------ waiting

    @Override
    public void waitThread() {
        Thread me = Thread.currentThread();
        int s = state;
        if ((s & THREADED) == 0) {
            throw new IllegalStateException(describe() + ": waitThread: the task does not run in a thread");
        }
        if ((s & FINISHED) != 0) {
            // Completed already (by its context, a waiter, a cancellation or
            // a disposal): nothing is left to wait for. Throwing here would
            // make runInThread-then-waitThread racy for its caller.
            return;
        }
        if (runsHere(me)) {
            boolean worker = (state & WORKER_DONE) == 0 && workerOrThread == me;
            throw new IllegalStateException(describe() + ": waitThread: called from the task's own "
                    + (worker ? "worker" : "callback") + ", which would wait for itself");
        }
        if (!TaskExtras.WAITER.compareAndSet(extras(), null, me)) {
            throw new IllegalStateException(describe() + ": waitThread: another thread already waits for the task");
        }
        // Announce the wait so that the worker's return (and a cancel while
        // it runs) hands the completion to this thread instead of posting
        // it; too late once the worker is done.
        for (;;) {
            s = state;
            if ((s & WORKER_DONE) != 0 || STATE.compareAndSet(this, s, s | WAITING)) {
                break;
            }
        }
        HeldWakeups.releaseHeld(); // the worker may wait for a wake-up this thread holds
        // Until the worker returns, or a cancel lets the callback run without it.
        boolean interrupted = parkUntil(holdsCancelledCompletion() ? WORKER_DONE : WORKER_DONE | CANCELLED);
        Failures failure = null;
        int claimed = claim();
        if (claimed >= 0) {
            failure = runCallbackAndFinish(claimed);
        } // else the context, an early cancelled completion or a disposal has it
        // A cancelled callback ran beside the worker, which then finishes the
        // task when it returns; either way, the task has finished on return.
        interrupted |= parkUntil(FINISHED);
        if (interrupted) {
            me.interrupt();
        }
        rethrow(Failures.first(failure));
    }

    /**
     * Parks uninterruptibly until any of {@code flags} is set; whoever sets
     * one unparks the waiter (the worker's return, cancel, finishOwned).
     *
     * @return whether the thread was interrupted meanwhile (the flag is cleared)
     */
    private boolean parkUntil(int flags) {
        boolean interrupted = false;
        if ((state & flags) == 0) {
            // A pool worker parked here may be replaced meanwhile: the task's
            // worker may be queued behind it (runInThread then waitThread).
            boolean managed = ManagedBlocking.begin();
            try {
                while ((state & flags) == 0) {
                    LockSupport.park(this);
                    interrupted |= Thread.interrupted();
                }
            } finally {
                ManagedBlocking.end(managed);
            }
        }
        return interrupted;
    }

    // ------------------------------------------------------------------ diagnostics

    @Override
    public TaskState state() {
        int s = state;
        // Only FINISHED, not FINISHING, is reported as FINISHED: until every
        // cleanup has run, a task reports the state it finishes from.
        if ((s & FINISHED) != 0) {
            return TaskState.FINISHED;
        }
        if ((s & DISPOSED) != 0) {
            return TaskState.DISPOSED;
        }
        // Claimed and not cancelled: completing until the cleanups after the
        // callback have run (CALLBACK_DONE without CANCELLED implies FINISHING).
        if ((s & CLAIMED) != 0 && ((s & CALLBACK_DONE) == 0 || (s & CANCELLED) == 0)) {
            return TaskState.COMPLETING;
        }
        if ((s & CANCELLED) != 0) {
            return TaskState.CANCELLED;
        }
        if ((s & THREADED) != 0) {
            if ((s & WORKER_DONE) != 0) {
                return TaskState.SCHEDULED;
            }
            return workerOrThread instanceof Thread ? TaskState.RUNNING : TaskState.QUEUED;
        }
        return TaskState.PENDING;
    }

    /** @return true once the task has started to finish: no longer in flight for listings */
    boolean finishing() {
        return (state & FINISHING) != 0;
    }

    TaskInfo info() {
        int s = state;
        // Until WORKER_DONE, a thread there can only be the worker's.
        Object running = (s & THREADED) != 0 && (s & WORKER_DONE) == 0 ? workerOrThread : null;
        return new TaskInfo(id, name(), owner.ownerName(), describeSource(), state(),
                owner.table().createdAt(createdTenths),
                running instanceof Thread ? ((Thread) running).getName() : null, groupName());
    }

    private String describeSource() {
        S current = source;
        if (current == null) {
            return "(released)";
        }
        try {
            return String.valueOf(current);
        } catch (RuntimeException broken) {
            return current.getClass().getName() + " (toString threw " + broken + ")";
        }
    }

    private String describe() {
        return "task '" + name() + "' (#" + id + ")";
    }

    // ------------------------------------------------------------------ GTask's features

    @Override
    public R runInThreadSync(TaskWorker<S, R> worker, Runnable cleanup) throws Exception {
        Objects.requireNonNull(worker, "worker");
        if ((state & THREADED) != 0) {
            throw new IllegalStateException(describe() + ": runInThreadSync: the task already runs in a thread");
        }
        SyncOutcome<S, R> outcome = new SyncOutcome<>();
        extras().syncCallback = outcome; // before runInThread's THREADED CAS, which publishes it
        runInThread(worker, cleanup, homeContext());
        waitThread(); // the capture ran, here or on the context, before this returns
        return outcome.resultOrThrow(name());
    }

    @Override
    public boolean setReturnOnCancel(boolean returnOnCancel) {
        TaskExtras x = extras();
        x.holdsCancelledCompletion = !returnOnCancel;
        int s = state; // read after the write: cancel CASes state, then reads the hold (one sees the other)
        if ((s & CANCELLED) == 0) {
            return true;
        }
        if (returnOnCancel && (s & THREADED) != 0 && (s & WORKER_DONE) == 0) {
            // The cancel may have held the completion back: post it now (a copy that loses the claim does nothing).
            schedule(workerContext, this::deliver);
        }
        return false;
    }

    @Override
    public void setCheckCancellable(boolean checkCancellable) {
        extras().keepsValueWhenCancelled = !checkCancellable;
    }

    /**
     * Whether the cancellation replaces the task's outcome in state
     * {@code s}: unless setCheckCancellable(false) and the worker has
     * returned (there is then a value to keep).
     */
    private boolean cancellationApplies(int s) {
        if ((s & CANCELLED) == 0) {
            return false;
        }
        if ((s & THREADED) == 0 || (s & (WORKER_DONE | DROPPED)) != WORKER_DONE) {
            return true;
        }
        TaskExtras x = extrasOrNull();
        return x == null || !x.keepsValueWhenCancelled;
    }

    @Override
    public void completeLater() {
        int s = state;
        if ((s & (CANCELLED | DISPOSED)) != 0) {
            return;
        }
        if ((s & FINISHING) != 0) {
            throw finished("completeLater");
        }
        if ((s & THREADED) != 0) {
            throw new IllegalStateException(describe() + ": completeLater: the task runs in a thread, so its"
                    + " context completes it");
        }
        synchronized (this) {
            TaskExtras x = extras();
            if (x.completionPosted) {
                return;
            }
            x.completionPosted = true;
        }
        schedule(homeContext(), this::deliver); // claims on the context; a complete() meanwhile wins instead
    }

    @Override
    public EventSource attachTimer(Duration delay, Runnable event) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(event, "event");
        refuseIfFinished("attachTimer");
        return attach(callbackContext().schedule(delay, new AttachedSource(this, "timer", event, null)),
                "attachTimer");
    }

    @Override
    public EventSource attachWatch(SelectableChannel channel, int ops, IoCallback callback) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(callback, "callback");
        refuseIfFinished("attachWatch");
        return attach(callbackContext().watch(channel, ops, new AttachedSource(this, "watch", null, callback)),
                "attachWatch");
    }

    private void refuseIfFinished(String operation) {
        if ((state & FINISHING) != 0) {
            throw finished(operation);
        }
    }

    /**
     * Adds a source that finishOwned removes. Under the monitor, against
     * finishOwned taking the list after its FINISHING CAS: either the list
     * gets the source before it is taken, or this sees FINISHING.
     */
    private EventSource attach(EventSource source, String operation) {
        boolean finished;
        synchronized (this) {
            finished = (state & FINISHING) != 0;
            if (!finished) {
                TaskExtras x = extras();
                if (x.attachedSources == null) {
                    x.attachedSources = new ArrayList<>(2);
                }
                x.attachedSources.add(source);
            }
        }
        if (finished) {
            source.cancel();
            throw finished(operation);
        }
        return source;
    }

    /**
     * Whether only its creator's code could still complete this task: it
     * runs no worker, is not completing, cancelled or disposed, and no
     * operation registered a cancel hook (an operation driving it from
     * watches or timers registers one, to stop on a cancel). Such a task
     * disposed by its owner's release was dropped without ever finishing.
     */
    synchronized boolean awaitsOnlyItsCreator() {
        if ((state & (THREADED | CLAIMED | CANCELLED | DISPOSED | FINISHING)) != 0) {
            return false;
        }
        TaskExtras x = extrasOrNull();
        return x == null || x.cancelHooks == null || x.cancelHooks.isEmpty();
    }

    /**
     * Records a worker run in the owner's and the operation's histograms; in
     * the worker's thread, after the worker returned.
     */
    private void workerRan(TaskMetrics.Counts counts, long queuedAtNanos, long startedNanos) {
        long now = System.nanoTime();
        long queued = queuedAtNanos == Long.MIN_VALUE ? 0 : startedNanos - queuedAtNanos;
        counts.workerRan(queued, now - startedNanos);
        String operation = operation();
        if (operation != null) {
            owner.operationCounts(operation).workerRan(queued, now - startedNanos);
        }
    }

    /** Counts the task's one outcome for its owner and its operation; exactly once per task. */
    private void countEnded(TaskMetrics.Counts counts, TaskMetrics.Outcome outcome) {
        counts.ended(outcome);
        String operation = operation();
        if (operation != null) {
            owner.operationCounts(operation).ended(outcome);
        }
    }

    /** @return the operation, for diagnostics and metrics: the source tag when it is a name (an operation's task's is) */
    private String operation() {
        Object tag = sourceTag();
        return tag instanceof String ? (String) tag : null;
    }

    /** @return whether an error is set now; for the completion's outcome (metrics, JFR event) */
    private boolean hasError() {
        if (extrasOrNull() == null) {
            return false; // an error lives in the extras: none without them, and no lock to take
        }
        synchronized (this) {
            return extrasOrNull().error != null;
        }
    }

    /** Records where the task was created; at creation, before the task is shared. */
    void recordCreationSite(Throwable site) {
        extras().createdAt = site;
    }

    /** @return where the task was created, or null if that was not recorded */
    Throwable creationSite() {
        TaskExtras x = extrasOrNull();
        return x == null ? null : x.createdAt;
    }

    @Override
    public Object sourceTag() {
        TaskExtras x = extrasOrNull();
        return x == null ? null : x.sourceTag;
    }

    /** The builder's tag, set right after creation. */
    void setSourceTag(Object tag) {
        extras().sourceTag = tag;
        TaskMetrics.Counts counts = tag instanceof String ? owner.operationCounts((String) tag) : null;
        if (counts != null) {
            counts.started();
        }
    }

    @Override
    public int priority() {
        TaskExtras x = extrasOrNull();
        return x == null ? Priority.DEFAULT : x.priority;
    }

    /** The builder's priority, set right after creation, before the task is handed out. */
    void setPriority(int priority) {
        extras().priority = priority;
    }

    @Override
    public void setCleanup(Runnable cleanup) {
        Runnable previous;
        synchronized (this) {
            if ((state & FINISHING) != 0) {
                throw finished("setCleanup");
            }
            TaskExtras x = extras();
            previous = x.callbackCleanup;
            x.callbackCleanup = cleanup;
        }
        if (previous != null && previous != cleanup) {
            previous.run(); // g_task_set_task_data frees the previous data at once; its exception is the caller's
        }
    }

    @Override
    public String toString() {
        return "Task[" + name() + " #" + id + ", " + state() + "]";
    }

    // ------------------------------------------------------------------ helpers

    private int addFlags(int flags) {
        for (;;) {
            int s = state;
            if (STATE.compareAndSet(this, s, s | flags)) {
                return s | flags;
            }
        }
    }

    private IllegalStateException finished(String operation) {
        return new IllegalStateException(describe() + ": " + operation + ": the task has finished");
    }

    private void runLateCleanup(Runnable cleanup) {
        report(Failures.run(cleanup, Failures.LATE_WORKER_CLEANUP, null));
    }

    /** Reports what threw, naming each part, with the first throwable (later ones are suppressed in it). */
    private void report(Failures failures) {
        if (failures != null) {
            owner.reporter().warn(describe() + ": " + failures.describe(), Failures.first(failures));
        }
    }

    private static void rethrow(Throwable failure) {
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        if (failure != null) {
            // Callbacks and cleanups declare no checked exceptions; a sneaky one is wrapped.
            throw new IllegalStateException(failure);
        }
    }
}
