package task.impl.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskCancelledException;
import task.api.TaskInfo;
import task.api.TaskState;
import task.api.TaskWorker;
import task.impl.loop.EventLoop;
import task.impl.loop.LoopBacked;
import task.impl.runner.AbandonableJob;

/**
 * A task: where it runs its worker, where it completes, and where it
 * finishes. This is the one place a task's life is decided.
 *
 * <h2>State machine</h2>
 * One {@code int state} of flags, changed only by CAS. Flags are only ever
 * added, except {@code INTERRUPTING}, which a canceller holds while it
 * interrupts the worker.
 * <pre>
 * THREADED      runInThread accepted a worker
 * WORKER_DONE   the worker returned (or never will run); set by the worker's thread
 * WAITING       a waitThread caller will run the completion itself
 * CANCELLED     cancel() won; the callback will see a TaskCancelledException
 * CLAIMED       one thread owns the completion: runs the callback, or skips it (dispose)
 * CALLBACK_DONE the callback returned, or was skipped
 * DISPOSED      dispose() (or an undeliverable completion) claimed the completion
 * FINISHING     one thread owns the cleanups (the exactly-once gate)
 * FINISHED      every cleanup ran; waiters may return
 * AWAITED       someone waits in awaitFinished; finish() then notifies the monitor
 * INTERRUPTING  a canceller is interrupting the worker; the worker may not
 *               set WORKER_DONE meanwhile, so the interrupt cannot hit the
 *               next job of a pooled thread
 * </pre>
 * Typical paths: direct: {} -> CLAIMED -> CALLBACK_DONE -> FINISHING -> FINISHED.
 * Threaded: THREADED -> WORKER_DONE (completion posted to the context) ->
 * CLAIMED (on the context, or by waitThread) -> CALLBACK_DONE -> FINISHING -> FINISHED.
 * Cancelled while running: THREADED -> CANCELLED (early completion posted)
 * -> CLAIMED -> CALLBACK_DONE and, in either order, WORKER_DONE; whichever
 * of the callback's thread and the worker's thread adds the second of those
 * two flags finishes the task.
 *
 * <h2>Exactly once</h2>
 * The callback runs only in the thread whose CAS added CLAIMED; the cleanups
 * run only in the thread whose CAS added FINISHING. A posted completion that
 * loses the claim does nothing.
 *
 * <h2>Happens-before</h2>
 * Fields written before a CAS on {@code state} are visible to whoever later
 * reads a state containing that CAS's flag: the worker, callback and worker
 * context written before THREADED; everything the worker did before
 * WORKER_DONE (so the callback, which claims after WORKER_DONE, sees it).
 * The error and the result are in addition guarded by {@code this}, since a
 * worker and a cancelled callback may touch them at the same time;
 * {@code released} (under the same lock) turns late writes away once the
 * cleanups have taken them.
 */
final class TaskImpl<S, R> implements Task<S, R> {
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

    private static final VarHandle STATE;
    private static final VarHandle WAITER;
    private static final VarHandle REASON;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(TaskImpl.class, "state", int.class);
            WAITER = lookup.findVarHandle(TaskImpl.class, "waiter", Thread.class);
            REASON = lookup.findVarHandle(TaskImpl.class, "cancelReason", String.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final long id;
    /** The name given at creation, or null for the default {@code "task-" + id}, built only when asked. */
    private final String givenName;
    final TaskFactory owner;
    final long createdMillis;
    /** The neighbours in the task table's list of tasks in flight; guarded by the table. */
    TaskImpl<?, ?> tablePrevious;
    TaskImpl<?, ?> tableNext;
    private final TaskCallback<S, R> callback;
    private final Runnable callbackCleanup;
    /** Where a cancelled completion goes before runInThread names a context. */
    private final EventContext homeContext;

    /** Cleared when the task finishes: the task's reference on its source. */
    private volatile S source;
    /** Published by the CAS adding THREADED (see the class comment). */
    private TaskWorker<S, R> worker;
    private Runnable workerCleanup;
    private EventContext workerContext;

    /** Guarded by this. */
    private Throwable error;
    private R result;
    private Consumer<? super R> resultCleanup;
    private boolean released;
    private List<Runnable> cancelHooks;
    private boolean cancelHooksFired;
    /** The first canceller's reason, set (by CAS) just before its state CAS. */
    private volatile String cancelReason;

    private volatile int state;
    private volatile Thread workerThread;
    private volatile Thread waiter;
    private volatile Thread completer;

    TaskImpl(long id, String name, TaskFactory owner, S source, TaskCallback<S, R> callback,
            Runnable callbackCleanup, EventContext homeContext) {
        this.id = id;
        this.givenName = name;
        this.owner = owner;
        this.source = source;
        this.callback = callback;
        this.callbackCleanup = callbackCleanup;
        this.homeContext = homeContext;
        this.createdMillis = System.currentTimeMillis();
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String name() {
        return givenName != null ? givenName : "task-" + id;
    }

    @Override
    public S source() {
        S current = source;
        if (current == null || (state & FINISHING) != 0) {
            throw finished("source");
        }
        return current;
    }

    // ------------------------------------------------------------------ running in a thread

    @Override
    public void runInThread(TaskWorker<S, R> worker, Runnable cleanup, EventContext context) {
        Objects.requireNonNull(worker, "worker");
        EventContext target = context != null ? context : owner.defaultContext();
        for (;;) {
            int s = state;
            if ((s & (CANCELLED | DISPOSED)) != 0) {
                // Too late to run: the worker's data is released at once.
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
            this.worker = worker;
            this.workerCleanup = cleanup;
            this.workerContext = target;
            if (STATE.compareAndSet(this, s, s | THREADED)) {
                break;
            }
        }
        Step job = new Step();
        try {
            owner.runner().execute(job);
        } catch (RejectedExecutionException refused) {
            job.abandon(refused);
        }
    }

    /**
     * The task's steps that other threads run: first the worker, on a runner
     * thread, then the completion, posted to the context. One object serves
     * both so that the round trip allocates one object, not two. The worker's
     * thread flips {@code completing} before posting the object, so the
     * queue's hand-off orders the flip before the context runs it.
     */
    private final class Step implements AbandonableJob {
        private boolean completing;

        Step() {
        }

        Step(boolean completing) {
            this.completing = completing;
        }

        @Override
        public void run() {
            if (completing) {
                deliver();
                return;
            }
            completing = true;
            workerThread = Thread.currentThread();
            // workerThread is written before state is read here, and cancel
            // writes state before reading workerThread: one of them sees the other.
            if ((state & (CANCELLED | DISPOSED)) == 0) {
                try {
                    worker.run(TaskImpl.this);
                } catch (Throwable failure) {
                    addError(failure);
                }
            }
            workerThread = null;
            workerReturned(this);
        }

        @Override
        public void abandon(RejectedExecutionException why) {
            completing = true;
            addError(why);
            workerReturned(this);
        }
    }

    private void workerReturned(Step completion) {
        int s;
        for (;;) {
            s = state;
            if ((s & INTERRUPTING) != 0) {
                Thread.onSpinWait();
            } else if (STATE.compareAndSet(this, s, s | WORKER_DONE)) {
                break;
            }
        }
        // An interrupt meant for this worker must not reach the thread's next job.
        Thread.interrupted();
        if ((s & CALLBACK_DONE) != 0) {
            report(finish(null), "a cleanup threw");
        } else if ((s & CLAIMED) != 0) {
            return; // the callback is running and will finish the task
        } else if ((s & WAITING) != 0) {
            LockSupport.unpark(waiter);
        } else if ((s & CANCELLED) == 0) {
            schedule(workerContext, completion);
        } // else: cancel() has already posted the completion
    }

    /**
     * Posts the completion to {@code context}; a closed context disposes the
     * task. The completion claims before it runs the callback, so a copy that
     * loses to a waiter, a disposal or the drain of a closing context does
     * nothing: no handle is kept to take it back.
     */
    private void schedule(EventContext context, Step completion) {
        try {
            EventLoop loop = context instanceof EventLoop ? (EventLoop) context
                    : context instanceof LoopBacked ? ((LoopBacked) context).loop() : null;
            if (loop != null) {
                loop.postClaimed(completion);
            } else {
                context.post(completion);
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
            report(runCallbackAndFinish(claimed), "the callback threw");
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
        rethrow(runCallbackAndFinish(claimed));
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
    private Throwable runCallbackAndFinish(int claimed) {
        if ((claimed & CANCELLED) != 0) {
            installCancellation();
        }
        Throwable failure = null;
        completer = Thread.currentThread();
        try {
            callback.onComplete(this);
        } catch (Throwable thrown) {
            failure = thrown;
        } finally {
            completer = null;
        }
        int s = addFlags(CALLBACK_DONE);
        if ((s & THREADED) == 0 || (s & WORKER_DONE) != 0) {
            failure = finish(failure);
        }
        return failure;
    }

    private synchronized void installCancellation() {
        TaskCancelledException cancelled = new TaskCancelledException(name(), cancelReason);
        if (error != null) {
            cancelled.addSuppressed(error);
        }
        error = cancelled;
    }

    // ------------------------------------------------------------------ finishing

    /**
     * Releases everything, in the documented order, exactly once.
     *
     * @param primary a failure to report first (the callback's), or null
     * @return the first failure, later ones suppressed, or null
     */
    private Throwable finish(Throwable primary) {
        int s = state;
        do {
            s = state;
            if ((s & FINISHING) != 0) {
                return primary;
            }
        } while (!STATE.compareAndSet(this, s, s | FINISHING));
        Throwable failure = primary;
        if ((s & THREADED) != 0) {
            failure = Failures.run(workerCleanup, failure);
        }
        failure = Failures.run(callbackCleanup, failure);
        R lastResult;
        Consumer<? super R> lastCleanup;
        Throwable untaken;
        synchronized (this) {
            lastResult = result;
            lastCleanup = resultCleanup;
            untaken = error;
            result = null;
            resultCleanup = null;
            error = null;
            if ((s & (CANCELLED | DISPOSED)) == 0) {
                cancelHooks = null;
            } // else the canceller's fireCancelHooks, maybe not yet run, takes them
            released = true;
        }
        failure = Failures.accept(lastCleanup, lastResult, failure);
        if (untaken != null) {
            owner.reporter().debug(describe() + ": finished with an error no callback took", untaken);
        }
        source = null;
        // Listings stopped showing the task at FINISHING; it leaves the table
        // only now, so that an owner going away still waits for its cleanups.
        owner.finished(this);
        int finished = addFlags(FINISHED);
        Thread waiting = waiter;
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
        Thread me = Thread.currentThread();
        if (workerThread == me || completer == me) {
            return true;
        }
        if ((addFlags(AWAITED) & FINISHED) != 0) {
            return true;
        }
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
        return true;
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

    /** @return false if the task's data is already released */
    private synchronized boolean addError(Throwable failure) {
        if (released) {
            return false;
        }
        if (error == null) {
            error = failure;
        } else if (error != failure) {
            error.addSuppressed(failure);
        }
        return true;
    }

    @Override
    public synchronized Throwable propagateError() {
        if (released) {
            throw finished("propagateError");
        }
        Throwable taken = error;
        error = null;
        return taken;
    }

    @Override
    public void setResult(R result, Consumer<? super R> cleanup) {
        R replaced;
        Consumer<? super R> replacedCleanup;
        synchronized (this) {
            if (!released) {
                replaced = this.result;
                replacedCleanup = this.resultCleanup;
                this.result = result;
                this.resultCleanup = cleanup;
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
        if (released) {
            throw finished("result");
        }
        return isCancelled() ? null : result;
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
                REASON.compareAndSet(this, null, reason);
            }
            running = (s & THREADED) != 0 && (s & WORKER_DONE) == 0;
            int next = s | CANCELLED | (running && interruptWorker ? INTERRUPTING : 0);
            if (STATE.compareAndSet(this, s, next)) {
                break;
            }
        }
        if (running && interruptWorker) {
            interruptWorker();
        }
        fireCancelHooks();
        if ((s & THREADED) == 0) {
            schedule(homeContext, new Step(true));
        } else if (running && (s & WAITING) == 0) {
            schedule(workerContext, new Step(true));
        } // else the completion is already posted, or a waiter will run it
        return true;
    }

    private void interruptWorker() {
        Thread running = workerThread;
        if (running != null) {
            running.interrupt();
        }
        int s;
        do {
            s = state;
        } while (!STATE.compareAndSet(this, s, s & ~INTERRUPTING));
    }

    @Override
    public void onCancel(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        synchronized (this) {
            if (!cancelHooksFired) {
                if (released && !isCancelled()) {
                    throw finished("onCancel");
                }
                if (cancelHooks == null) {
                    cancelHooks = new ArrayList<>(2);
                }
                cancelHooks.add(hook);
                return;
            }
        }
        report(Failures.run(hook, null), "a cancel hook threw");
    }

    /** Runs the cancel hooks once, in the thread whose cancel or dispose won. */
    private void fireCancelHooks() {
        List<Runnable> hooks;
        synchronized (this) {
            if (cancelHooksFired) {
                return;
            }
            cancelHooksFired = true;
            hooks = cancelHooks;
            cancelHooks = null;
        }
        if (hooks != null) {
            for (Runnable hook : hooks) {
                report(Failures.run(hook, null), "a cancel hook threw");
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
        boolean running;
        for (;;) {
            s = state;
            if ((s & CLAIMED) != 0) {
                return false;
            }
            running = (s & THREADED) != 0 && (s & WORKER_DONE) == 0;
            int next = s | CLAIMED | CALLBACK_DONE | DISPOSED | (running && interrupt ? INTERRUPTING : 0);
            if (STATE.compareAndSet(this, s, next)) {
                break;
            }
        }
        fireCancelHooks();
        if (running) {
            if (interrupt) {
                interruptWorker();
            }
            // The worker's thread finishes the task when the worker returns.
        } else {
            report(finish(null), "a cleanup threw");
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
        if (workerThread == me || completer == me) {
            throw new IllegalStateException(describe() + ": waitThread: called from the task's own "
                    + (workerThread == me ? "worker" : "callback") + ", which would wait for itself");
        }
        if (!WAITER.compareAndSet(this, null, me)) {
            throw new IllegalStateException(describe() + ": waitThread: another thread already waits for the task");
        }
        // Announce the wait so that the worker hands the completion to this
        // thread instead of posting it; too late once the worker is done.
        for (;;) {
            s = state;
            if ((s & WORKER_DONE) != 0 || STATE.compareAndSet(this, s, s | WAITING)) {
                break;
            }
        }
        boolean interrupted = parkUntil(WORKER_DONE);
        Throwable failure = null;
        int claimed = claim();
        if (claimed >= 0) {
            failure = runCallbackAndFinish(claimed);
        } else {
            // The context, an early cancelled completion or a disposal has it.
            interrupted |= parkUntil(FINISHED);
        }
        if (interrupted) {
            me.interrupt();
        }
        rethrow(failure);
    }

    /** Parks uninterruptibly until {@code flag} is set; whoever sets it unparks the waiter. */
    private boolean parkUntil(int flag) {
        boolean interrupted = false;
        while ((state & flag) == 0) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted();
        }
        return interrupted;
    }

    // ------------------------------------------------------------------ diagnostics

    @Override
    public TaskState state() {
        int s = state;
        if ((s & FINISHING) != 0) {
            return TaskState.FINISHED;
        }
        if ((s & DISPOSED) != 0) {
            return TaskState.DISPOSED;
        }
        if ((s & CLAIMED) != 0 && (s & CALLBACK_DONE) == 0) {
            return TaskState.COMPLETING;
        }
        if ((s & CANCELLED) != 0) {
            return TaskState.CANCELLED;
        }
        if ((s & THREADED) != 0) {
            if ((s & WORKER_DONE) != 0) {
                return TaskState.SCHEDULED;
            }
            return workerThread != null ? TaskState.RUNNING : TaskState.QUEUED;
        }
        return TaskState.PENDING;
    }

    /** @return true once the task has started to finish: no longer in flight for listings */
    boolean finishing() {
        return (state & FINISHING) != 0;
    }

    TaskInfo info() {
        Thread running = workerThread;
        return new TaskInfo(id, name(), owner.ownerName(), describeSource(), state(),
                java.time.Instant.ofEpochMilli(createdMillis), running == null ? null : running.getName());
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
        report(Failures.run(cleanup, null), "a late worker cleanup threw");
    }

    private void report(Throwable failure, String what) {
        if (failure != null) {
            owner.reporter().warn(describe() + ": " + what, failure);
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
