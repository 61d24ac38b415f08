package task.impl.loop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import task.api.EventContext;
import task.api.EventSource;
import task.api.IoCallback;
import task.api.Priority;
import task.api.metrics.ContextStats;
import task.impl.log.Reporter;
import task.impl.runner.HeldWakeups;
import task.impl.runner.ManagedBlocking;
import task.impl.runner.Prioritized;

/**
 * An event context driven by an executor it adopted (a UI toolkit's event
 * thread); see {@link task.api.EventContextFactory#adopt(String, Executor, BooleanSupplier)}
 * for the contract. Posts go straight to the executor, one runnable each
 * ({@link Handed}); timers and watches wait on the runtime's shared thread
 * ({@link ExecutorHops}) and hop onto the executor ({@link HoppedTimer},
 * {@link HoppedWatch}).
 * <p>
 * <b>Life:</b> one {@code long state}: bit 0 is CLOSING, the rest counts,
 * in units of {@link #HANDED}, the runnables handed to the executor that
 * have not returned yet. OPEN(n) -> OPEN(n+1) by CAS when something is
 * handed ({@link #enter()}, refused once CLOSING: nothing new reaches the
 * executor after the close began); (n+1) -> n when a handed runnable
 * returns, is skipped, or was refused by the executor ({@link #leave()},
 * once per runnable, by its own claim); OPEN(n) -> CLOSING(n+1) once, by
 * CAS, in {@link #startShutdown()}, whose own unit is left after it ended
 * every timer and watch. Whoever brings the state to CLOSING(0), which is
 * TERMINATED, releases {@code terminated}.
 * <p>
 * <b>Happens-before:</b> a poster's writes come before its event runs by
 * the executor's own hand-off (an {@link Executor}'s memory consistency);
 * a runnable's writes come before its {@link #leave()} (a volatile RMW), and
 * the one reaching CLOSING(0) releases {@code terminated}, so a close that
 * waited sees everything the context's callbacks did. Sources: a
 * registering thread adds its source to {@code sources}, fences, then reads
 * {@code state}; the closer sets CLOSING (a volatile RMW), then iterates
 * {@code sources}: either the registration sees CLOSING and takes its
 * source back, or the closer ends it.
 * <p>
 * <b>Dispatch:</b> {@code current} and {@code running} are written by the
 * thread running a handed runnable, around it (the executor runs one at a
 * time; a UI's nested loop running one inside another, a modal dialog say,
 * restores the outer values after), and read by {@link #inContext()} (a
 * thread only ever finds itself there while it runs one) and by diagnostics.
 * <p>
 * <b>Priorities</b> ({@link #post(Runnable, int)}): the context can only
 * order what it holds, and it holds nothing while every post is of
 * {@link Priority#DEFAULT}: each goes straight to the executor, which runs
 * them in its own order, as before. A post of another priority, and every
 * post made while one is held, is held instead: its {@link PostedEvent}
 * goes into {@code held}, a heap ordered by priority and then arrival
 * (guarded by its own monitor, with {@code heldCount} its size, written
 * under the monitor and read by posters without it), and the executor is
 * handed a slot ({@link #runHeld()}) in its place, which runs whichever held
 * event is best when the executor gets to it. One slot per held event, each
 * taking one event (an event cancelled meanwhile is taken and skipped), so
 * every held event is run by some slot. Thus the priorities order the held
 * events among themselves, and events held after an event already handed
 * straight to the executor still run after it (with a FIFO executor, one
 * priority stays FIFO); they cannot reorder what the executor has already
 * been handed. A refused slot takes its own event back out of the heap and
 * throws as a refused post does; if a slot already ran that event, the
 * heap has one event more than slots, and the one that would run last is
 * taken out and reported as dropped (the executor refuses work: it is
 * shutting down).
 * <p>
 * <b>Failures:</b> every callback runs inside a catch of {@link Throwable},
 * reported through the guarded reporter: nothing reaches the executor. A
 * refusal by the executor reaches {@link #post}'s caller as a
 * {@link RejectedExecutionException}, and is reported for timers and
 * watches (on the shared thread), which end.
 */
final class ExecutorContext implements EventContext {
    private static final long CLOSING = 1;
    private static final long HANDED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ExecutorContext.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Executor executor;
    /** The executor's own test for its thread, or null. */
    private final BooleanSupplier isExecutorThread;
    private final Reporter reporter;
    private final ExecutorHops hops;
    private final Duration closeGrace;
    /** The timers and watches not yet ended; see the class comment. */
    private final Set<HoppedSource> sources = ConcurrentHashMap.newKeySet();
    private final CountDownLatch terminated = new CountDownLatch(1);
    /** Lag and busy time, for {@link #stats()}. */
    private final ContextMeter meter = new ContextMeter();

    private volatile long state;
    /** The thread running one of the handed runnables, or null; see the class comment. */
    private volatile Thread current;
    /** What that runnable runs, for diagnostics. */
    private volatile Object running;
    /**
     * The latest thread that ran one of the handed runnables: without the
     * executor's own test, close takes it for the executor's thread (see
     * {@link #onExecutorThread()}).
     */
    private volatile Thread lastDriver;
    /** The shared loop to stop, if this context was the last open one; set by startShutdown. */
    private volatile EventLoop retiring;
    /**
     * The held events (see "Priorities" in the class comment), best first;
     * guarded by its own monitor, which also guards {@code heldArrivals}.
     */
    private final PriorityQueue<Prioritized> held = new PriorityQueue<>();
    /** Numbers the held events in their order of arrival; guarded by {@code held}. */
    private long heldArrivals;
    /** The size of {@code held}: written under its monitor after each change, read without it. */
    private volatile int heldCount;

    /**
     * Adopts an executor; counts as open in {@code hops} until closed.
     *
     * @throws IllegalArgumentException if the name is blank or the grace negative
     * @throws IllegalStateException if {@code hops} is closed
     */
    ExecutorContext(String name, Executor executor, BooleanSupplier isExecutorThread, Reporter reporter,
            ExecutorHops hops, Duration closeGrace) {
        this.name = EventLoop.requireName(name);
        this.executor = Objects.requireNonNull(executor, "executor");
        this.isExecutorThread = isExecutorThread;
        this.reporter = Reporter.guarded(reporter);
        this.hops = hops;
        this.closeGrace = EventLoop.requireGrace(closeGrace);
        hops.opened();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public EventSource post(Runnable event) {
        return post(event, Priority.DEFAULT);
    }

    /**
     * Posts an event with a priority, as {@link EventContext#post(Runnable, int)}
     * says, ordered only among the events this context holds (see
     * "Priorities" in the class comment). Any thread.
     */
    @Override
    public EventSource post(Runnable event, int priority) {
        Objects.requireNonNull(event, "event");
        PostedEvent posting = new PostedEvent(event);
        if (!enter()) {
            throw rejected();
        }
        if (priority != Priority.DEFAULT || heldCount != 0) {
            hold(posting, priority);
            return posting;
        }
        Handed handed = new Handed(this, posting, posting, meter.sample());
        try {
            executor.execute(handed);
        } catch (RuntimeException | Error refused) {
            if (handed.claim()) {
                leave();
            }
            posting.deactivate();
            if (refused instanceof Error) {
                throw refused;
            }
            throw new RejectedExecutionException("context '" + name + "': its executor refused the event: "
                    + refused, refused);
        }
        return posting;
    }

    /**
     * Holds {@code posting} and hands the executor a slot for it; the
     * caller has entered (one handed runnable counted). Any thread.
     *
     * @throws RejectedExecutionException if the executor refused the slot
     *         and {@code posting} never runs
     */
    private void hold(PostedEvent posting, int priority) {
        Prioritized entry = new Prioritized(posting, priority);
        synchronized (held) {
            entry.sequence = heldArrivals++;
            held.add(entry);
            heldCount = held.size();
        }
        Handed slot = new Handed(this, this::runHeld, posting, meter.sample());
        try {
            executor.execute(slot);
        } catch (RuntimeException | Error refused) {
            if (slot.claim()) {
                leave();
            }
            Prioritized surplus;
            boolean ownTakenBack;
            synchronized (held) {
                ownTakenBack = held.remove(entry);
                surplus = ownTakenBack ? entry : removeLastLocked();
                heldCount = held.size();
            }
            if (ownTakenBack) {
                posting.deactivate();
                if (refused instanceof Error) {
                    throw refused;
                }
                throw new RejectedExecutionException("context '" + name + "': its executor refused the event: "
                        + refused, refused);
            }
            // A slot already ran this event: one held event has no slot left.
            if (surplus != null && ((PostedEvent) surplus.work).deactivate()) {
                report("its executor refused a slot, so a held event never runs and is dropped",
                        EventLoop.describeDispatch(surplus.work), refused);
            }
        }
    }

    /** Under {@code held}'s monitor: takes out the event that would run last, or returns null if none is held. */
    private Prioritized removeLastLocked() {
        Prioritized last = null;
        for (Prioritized entry : held) {
            if (last == null || entry.compareTo(last) > 0) {
                last = entry;
            }
        }
        if (last != null) {
            held.remove(last);
        }
        return last;
    }

    /**
     * A slot's body, on the executor's thread inside {@link #dispatch}: runs
     * the best held event (unless it was cancelled meanwhile), marked as
     * what this context runs.
     */
    private void runHeld() {
        Prioritized best;
        synchronized (held) {
            best = held.poll();
            heldCount = held.size();
        }
        if (best != null) {
            running = best.work;
            best.work.run();
        }
    }

    @Override
    public EventSource schedule(Duration delay, Runnable event) {
        EventLoop.checkSchedule(delay, event);
        HoppedTimer timer = HoppedTimer.once(this, event);
        register(timer, () -> timer.start(EventLoop.saturatedNanos(delay)));
        return timer;
    }

    @Override
    public EventSource every(Duration period, BooleanSupplier tick) {
        EventLoop.checkEvery(period, tick);
        long periodNanos = EventLoop.saturatedNanos(period);
        HoppedTimer timer = HoppedTimer.every(this, periodNanos, tick);
        register(timer, () -> timer.start(periodNanos));
        return timer;
    }

    @Override
    public EventSource watch(SelectableChannel channel, int ops, IoCallback callback) {
        EventLoop.checkWatch(channel, ops, callback);
        HoppedWatch watch = new HoppedWatch(this, channel, ops, callback);
        register(watch, watch::arm);
        return watch;
    }

    /** Lists a new timer or watch (see the class comment), then arms it; a refusal takes it back. */
    private void register(HoppedSource source, Runnable arm) {
        if (isClosed()) {
            throw rejected();
        }
        sources.add(source);
        VarHandle.fullFence(); // the add, then state: see the class comment
        try {
            if (isClosed()) {
                throw rejected();
            }
            arm.run();
        } catch (RuntimeException | Error failure) {
            source.cancel();
            if (failure instanceof RejectedExecutionException) {
                throw rejected(); // the context, or with it the runtime, is closing
            }
            throw failure;
        }
    }

    /** A timer or watch ended: it leaves the list. Any thread. */
    void forget(HoppedSource source) {
        sources.remove(source);
    }

    /**
     * The shared loop the timers and watches wait on.
     *
     * @throws RejectedExecutionException if it has stopped (every adopted context closing, or the runtime)
     */
    EventLoop hops() {
        return hops.loop(reporter, closeGrace);
    }

    /**
     * On the shared thread: hands a timer's or watch's callback to the
     * executor.
     *
     * @return false if it will never run: the context is closing, or the
     *         executor refused it (the source is ended, then the refusal
     *         reported); the caller ends the source
     */
    boolean handFromHops(HoppedSource source, Runnable callback) {
        if (!enter()) {
            return false;
        }
        Handed handed = new Handed(this, callback, source, meter.sample());
        try {
            executor.execute(handed);
            return true;
        } catch (Throwable refused) {
            if (handed.claim()) {
                leave();
            }
            source.cancel();
            report("its executor refused the callback of " + source.describe() + ", which ends", null, refused);
            return false;
        }
    }

    /** One more runnable handed to the executor, unless closing. */
    private boolean enter() {
        for (;;) {
            long s = state;
            if ((s & CLOSING) != 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s + HANDED)) {
                return true;
            }
        }
    }

    /** One handed runnable fewer; the last one of a closing context terminates it. */
    private void leave() {
        long s = (long) STATE.getAndAdd(this, -HANDED) - HANDED;
        if (s == CLOSING) {
            terminated.countDown();
        }
    }

    /** On the executor's thread: runs a handed runnable's body, marked as this context's dispatch. */
    void dispatch(Handed handed) {
        Thread outerThread = current;
        Object outerWhat = running;
        Thread me = Thread.currentThread();
        boolean outermost = outerThread != me; // a nested dispatch's time is its outer one's
        long start = System.nanoTime();
        meter.arrived(handed.handedNanos, start);
        current = me;
        running = handed.what;
        if (lastDriver != me) {
            lastDriver = me;
        }
        try {
            handed.body.run();
        } catch (Throwable failure) {
            report("an event threw", null, failure);
        } finally {
            current = outerThread;
            running = outerWhat;
            if (outermost) {
                meter.addBusyShared(System.nanoTime() - start);
            }
            leave();
        }
    }

    @Override
    public boolean inContext() {
        return current == Thread.currentThread() || (isExecutorThread != null && isExecutorThread.getAsBoolean());
    }

    /**
     * Refused: the executor drives this context.
     *
     * @throws IllegalStateException always
     */
    @Override
    public boolean iterate(boolean mayBlock) {
        throw new IllegalStateException("iterate: context '" + name + "' is driven by its executor"
                + (isClosed() ? " and is closed" : "") + "; it cannot be iterated");
    }

    @Override
    public boolean isClosed() {
        return (state & CLOSING) != 0;
    }

    /**
     * Closes the context (see {@link EventContext#close()}), waiting at most
     * its close grace for the executor to run what it was handed, then
     * warning with what is left and returning. On the executor's thread (see
     * {@link #onExecutorThread()}) it returns at once. Idempotent.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + EventLoop.saturatedNanos(closeGrace);
        startShutdown();
        awaitTermination(deadline);
    }

    /**
     * The first half of {@link #close()}: refuses posts, ends every timer and
     * watch, and, for the last open adopted context, starts stopping the
     * shared thread; without waiting. Idempotent; any thread.
     */
    void startShutdown() {
        for (;;) {
            long s = state;
            if ((s & CLOSING) != 0) {
                return;
            }
            if (STATE.compareAndSet(this, s, (s + HANDED) | CLOSING)) {
                break;
            }
        }
        try {
            for (HoppedSource source : sources) {
                source.cancel();
            }
            EventLoop idle = hops.closing();
            if (idle != null) {
                retiring = idle;
                idle.startShutdown();
            }
        } finally {
            leave();
        }
    }

    /**
     * The second half of {@link #close()}: waits until the executor has run
     * (or skipped) everything handed to it and, if this context stopped the
     * shared thread, until that has ended, or until {@code deadlineNanos};
     * then warns with what is left. Returns at once on the executor's
     * thread. Uninterruptible; the interrupt status is kept.
     */
    void awaitTermination(long deadlineNanos) {
        if (onExecutorThread()) {
            return;
        }
        HeldWakeups.releaseHeld();
        boolean interrupted = false;
        boolean ended;
        boolean managed = ManagedBlocking.begin(); // as EventLoop.awaitTermination
        try {
            while (true) {
                try {
                    ended = terminated.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            ManagedBlocking.end(managed);
        }
        if (!ended) {
            warnStuck();
        }
        EventLoop idle = retiring;
        if (idle != null) {
            idle.awaitTermination(deadlineNanos);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether close must not wait here: the executor's thread (by its test),
     * a thread running one of our callbacks, or, without a test, the thread
     * that last ran one (a UI thread closing the context from a listener of
     * its own would otherwise wait its grace for events only it can run).
     */
    private boolean onExecutorThread() {
        try {
            return inContext() || (isExecutorThread == null && lastDriver == Thread.currentThread());
        } catch (Throwable broken) {
            report("its executor-thread test threw; close takes this for another thread", null, broken);
            return false;
        }
    }

    private void warnStuck() {
        Thread thread = current;
        Object what = running;
        long left = state >>> 1;
        report("close gave up waiting after " + closeGrace.toMillis() + " ms: its executor has not yet run or"
                + " finished " + left + " of the runnables handed to it"
                + (thread == null ? "" : "; thread '" + thread.getName() + "' is still running " + describe(what))
                + "; the context refuses posts and runs nothing new but its posted events", null,
                thread == null ? null : ThreadStack.of(thread, thread.getStackTrace()));
    }

    /**
     * Reports {@code what}, naming {@code subject} if not null; never throws
     * (building the message may fail: it then goes out with the constant text).
     */
    void report(String what, Object subject, Throwable failure) {
        String message;
        try {
            message = "context '" + name + "': " + what + (subject == null ? "" : " (" + subject + ")");
        } catch (Throwable unbuildable) {
            message = what;
        }
        reporter.warn(message, failure);
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("context '" + name + "' is closed");
    }

    /**
     * A one-line description for diagnostics, as {@link EventLoop#status()}:
     * name, driver, open or not, how many runnables the executor holds, and
     * what runs. Any thread.
     *
     * @return the description
     */
    String status() {
        long s = state;
        Thread thread = current;
        Object what = running;
        return name + " [executor" + (thread == null ? "" : ", on thread '" + thread.getName() + "'") + "] "
                + ((s & CLOSING) == 0 ? "open" : s == CLOSING ? "closed" : "closing") + ", " + (s >>> 1)
                + " pending, " + (what == null ? "idle" : "running " + describe(what));
    }

    /**
     * This context's statistics, as {@link EventLoop#stats()}: pending are
     * the runnables handed to the executor and not yet run (the one running
     * included), lag and busy time are measured as {@link ContextMeter}
     * says. Any thread.
     *
     * @return the statistics now
     */
    ContextStats stats() {
        return meter.stats(name, (int) Math.min(Integer.MAX_VALUE, state >>> 1));
    }

    private static String describe(Object what) {
        return what instanceof HoppedSource ? ((HoppedSource) what).describe() : EventLoop.describeDispatch(what);
    }

    @Override
    public String toString() {
        long s = state;
        return "EventContext[" + name + ", executor" + ((s & CLOSING) == 0 ? "" : s == CLOSING ? ", closed"
                : ", closing") + "]";
    }
}
