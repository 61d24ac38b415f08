package task.impl.loop;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.jctools.queues.MpscUnboundedXaddArrayQueue;

import task.api.EventContext;
import task.api.EventSource;
import task.api.IoCallback;
import task.impl.log.Reporter;
import task.impl.runner.BatchingThread;

/**
 * The event context: a loop that runs posted events, timers and I/O watches
 * on whichever single thread drives it.
 * <p>
 * <b>Life:</b> {@code state} goes OPEN -> CLOSING -> TERMINATED, by CAS.
 * In CLOSING no post is accepted and the driver drains the queue; at
 * TERMINATED every source is inactive and {@code terminated} is released.
 * <p>
 * <b>Driver:</b> {@code driver} is the thread allowed to run the loop, taken
 * by CAS from null (caller-driven contexts, per {@link #iterate}) or held for
 * life by the context's own thread. The queue of posted events is
 * multi-producer, single-consumer: only the driver polls it. Timers (a heap)
 * and watches (a selector) are confined to the driver; other threads reach
 * them by posting.
 * <p>
 * <b>Sleeping:</b> before blocking, the driver sets {@code sleeping} and then
 * re-checks the queue; a poster offers its event and then reads
 * {@code sleeping}, waking the driver if set. Both are sequentially
 * consistent (volatile write then read on each side), so either the driver
 * sees the event or the poster sees the driver asleep: no wake-up is lost.
 * <p>
 * <b>Spinning:</b> the loop's own thread, after an iteration that ran
 * something, polls the queue for a short while ({@link #SPIN_NANOS}, first
 * busy-waiting, then yielding the processor) before it blocks: a completion
 * that arrives meanwhile costs neither its poster a wake-up (a system call)
 * nor the loop a sleep. An idle loop spins once, after its last event, and
 * then sleeps: idle costs nothing. A loop with I/O watches does not spin: it
 * waits in its selector, which sees readiness at once (a spin would not).
 * <p>
 * <b>Close race:</b> a poster offers, then re-reads {@code state}; the
 * closing driver sets CLOSING, then drains until the queue is empty. Either
 * the drain takes the event (and runs it) or the poster sees CLOSING and
 * takes it back, by the event's own CAS: it runs or is rejected, exactly once
 * (for {@link #postClaimed} events the CAS is the event's own claim).
 */
public final class EventLoop implements EventContext {
    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int TERMINATED = 2;
    /** Posted events run per iteration at most, so timers and I/O are not starved. */
    private static final int BATCH = 1024;
    /** How long the own thread polls for posted events before it blocks, after running some. */
    private static final long SPIN_NANOS = 50_000;
    /** Polls that only busy-wait, before the spin starts yielding the processor. */
    private static final int BUSY_POLLS = 100;

    private static final VarHandle STATE;
    private static final VarHandle DRIVER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(EventLoop.class, "state", int.class);
            DRIVER = lookup.findVarHandle(EventLoop.class, "driver", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Reporter reporter;
    private final boolean userClosable;
    private final BatchingThread ownThread;
    /**
     * PostedEvents (from post) and self-claiming events (from postClaimed).
     * Many producers, one consumer (the driver): JCTools' chunked array
     * queue, which allocates no node per event (chunks of 1,024 slots, four
     * kept for reuse: a backlog of up to 4,096 events allocates nothing);
     * its poll() does not return null while an offer that has claimed its
     * slot is still writing it, so the close race below holds.
     */
    private final Queue<Runnable> posted = new MpscUnboundedXaddArrayQueue<>(1024, 4);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Watches watches = new Watches(this);
    /** Confined to the driver. */
    private final PriorityQueue<TimerSource> timers = new PriorityQueue<>();
    /** Confined to the driver. */
    private long timerSequence;

    private volatile int state = OPEN;
    private volatile Thread driver;
    private volatile boolean sleeping;

    private EventLoop(String name, Reporter reporter, boolean userClosable, boolean ownThread) {
        this.name = requireName(name);
        this.reporter = Objects.requireNonNull(reporter, "reporter");
        this.userClosable = userClosable;
        this.ownThread = ownThread ? new BatchingThread(this::runOwnThread, this.name) : null;
    }

    /**
     * Creates a context driven by callers of {@link #iterate(boolean)}.
     *
     * @param name a non-blank name
     * @param reporter where callback failures go
     * @return the open context
     */
    public static EventLoop driven(String name, Reporter reporter) {
        return new EventLoop(name, reporter, true, false);
    }

    /**
     * Creates a context and starts its own daemon thread, named {@code name}.
     *
     * @param name a non-blank name
     * @param reporter where callback failures go
     * @param userClosable false for the default context, which only
     *        {@link #shutdown()} ends
     * @return the running context
     */
    public static EventLoop started(String name, Reporter reporter, boolean userClosable) {
        EventLoop loop = new EventLoop(name, reporter, userClosable, true);
        loop.driver = loop.ownThread;
        loop.ownThread.setDaemon(true);
        loop.ownThread.start();
        return loop;
    }

    private static String requireName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("event context: name must not be blank, got '" + name + "'");
        }
        return name;
    }

    @Override
    public String name() {
        return name;
    }

    Reporter reporter() {
        return reporter;
    }

    @Override
    public EventSource post(Runnable event) {
        Objects.requireNonNull(event, "event");
        if (state != OPEN) {
            throw rejected();
        }
        PostedEvent posting = new PostedEvent(event);
        posted.offer(posting);
        if (state != OPEN && posting.deactivate()) {
            throw rejected();
        }
        if (sleeping) {
            wake();
        }
        return posting;
    }

    /**
     * Posts an event that decides itself, by a claim of its own, whether it
     * still has anything to do, so that no handle is needed: the runtime's
     * task completions, on the hot path. Such an event must be harmless to
     * run after its poster was told it was rejected, because a post that
     * races the close may be both drained and rejected; the event's claim
     * makes one of the two a no-op.
     *
     * @param event the self-claiming event
     * @throws RejectedExecutionException if the context is closed, or closed
     *         while the event was being posted
     */
    public void postClaimed(Runnable event) {
        if (state != OPEN) {
            throw rejected();
        }
        posted.offer(event);
        if (state != OPEN) {
            throw rejected();
        }
        if (sleeping) {
            wake();
        }
    }

    @Override
    public EventSource schedule(Duration delay, Runnable event) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(event, "event");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("schedule: delay must not be negative, got " + delay);
        }
        return addTimer(delay, 0, () -> {
            event.run();
            return false;
        });
    }

    @Override
    public EventSource every(Duration period, BooleanSupplier tick) {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(tick, "tick");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("every: period must be positive, got " + period);
        }
        return addTimer(period, saturatedNanos(period), tick);
    }

    private EventSource addTimer(Duration delay, long periodNanos, BooleanSupplier tick) {
        long due = System.nanoTime() + saturatedNanos(delay);
        TimerSource timer = new TimerSource(this, due, periodNanos, tick);
        post(() -> {
            if (timer.isActive()) {
                timer.sequence = timerSequence++;
                timers.add(timer);
            }
        });
        return timer;
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }

    @Override
    public EventSource watch(SelectableChannel channel, int ops, IoCallback callback) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(callback, "callback");
        if (ops == 0 || (ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("watch: ops " + ops + " are not a non-empty subset of "
                    + channel.validOps() + ", the valid ops of " + channel);
        }
        if (!channel.isOpen()) {
            throw new IllegalArgumentException("watch: channel " + channel + " is closed");
        }
        if (channel.isBlocking()) {
            throw new IllegalArgumentException("watch: channel " + channel + " is in blocking mode");
        }
        IoWatch watch = new IoWatch(this, channel, ops, callback);
        post(() -> watches.add(watch));
        return watch;
    }

    /**
     * A cancelled timer or watch leaves the driver's structures: at once on
     * the driving thread (so a callback that cancels a watch may reconfigure
     * its channel right away), by a posted event from any other thread.
     */
    void forget(TimerSource timer) {
        if (inContext()) {
            timers.remove(timer);
        } else {
            postQuietly(() -> timers.remove(timer));
        }
    }

    void forget(IoWatch watch) {
        if (inContext()) {
            watches.remove(watch);
        } else {
            postQuietly(() -> watches.remove(watch));
        }
    }

    private void postQuietly(Runnable housekeeping) {
        try {
            post(housekeeping);
        } catch (RejectedExecutionException closed) {
            // The loop is closing and drops everything anyway.
        }
    }

    @Override
    public boolean inContext() {
        return driver == Thread.currentThread();
    }

    @Override
    public boolean iterate(boolean mayBlock) {
        if (mayBlock) {
            BatchingThread.releaseHeld(); // a context's thread may drive another one from a callback
        }
        Thread me = Thread.currentThread();
        boolean acquired = false;
        if (driver != me) {
            if (ownThread != null || !DRIVER.compareAndSet(this, null, me)) {
                throw new IllegalStateException("iterate: context '" + name + "' is driven by thread '"
                        + describe(driver) + "', not by '" + me.getName() + "'");
            }
            acquired = true;
        }
        try {
            if (state == TERMINATED) {
                throw new IllegalStateException("iterate: context '" + name + "' is closed");
            }
            return iterateOnce(mayBlock, false);
        } finally {
            if (acquired) {
                release();
            }
        }
    }

    /** Gives up driving; drains the loop if a close came meanwhile (see close()). */
    private void release() {
        driver = null;
        if (state == CLOSING && DRIVER.compareAndSet(this, null, Thread.currentThread())) {
            try {
                drainAndTerminate();
            } finally {
                driver = null;
            }
        }
    }

    private static String describe(Thread thread) {
        return thread == null ? "none" : thread.getName();
    }

    /** One iteration on the driving thread: wait, then I/O, due timers, posted events. */
    private boolean iterateOnce(boolean mayBlock, boolean spinFirst) {
        long waitNanos = mayBlock ? nanosUntilNextTimer() : 0;
        if (waitNanos > 0 && spinFirst && !watches.any() && awaitPostedBriefly()) {
            waitNanos = 0;
        }
        if (waitNanos > 0) {
            sleeping = true;
            if (!posted.isEmpty() || state != OPEN) {
                waitNanos = 0;
            }
        }
        if (ownThread == null) {
            return waitAndDispatch(waitNanos);
        }
        // One batch per iteration: the worker wake-ups its events need are given once, at its end.
        ownThread.beginBatch();
        try {
            return waitAndDispatch(waitNanos);
        } finally {
            ownThread.endBatch();
        }
    }

    /** The rest of an iteration: wait up to {@code waitNanos}, then I/O, due timers, posted events. */
    private boolean waitAndDispatch(long waitNanos) {
        boolean dispatched;
        try {
            dispatched = watches.waitAndDispatch(waitNanos);
        } catch (IOException e) {
            reporter.warn("context '" + name + "': waiting for I/O failed", e);
            dispatched = false;
        } finally {
            sleeping = false;
        }
        if (ownThread != null) {
            // Nobody may interrupt the loop into spinning; callbacks run uninterrupted.
            Thread.interrupted();
        }
        dispatched |= runDueTimers();
        dispatched |= runPosted();
        return dispatched;
    }

    /**
     * Spins (see the class comment) until an event is posted or the loop is
     * closing, for at most {@link #SPIN_NANOS}.
     *
     * @return true if there is something to do without blocking
     */
    private boolean awaitPostedBriefly() {
        long deadline = System.nanoTime() + SPIN_NANOS;
        for (int polls = 0;; polls++) {
            if (!posted.isEmpty() || state != OPEN) {
                return true;
            }
            if (polls < BUSY_POLLS) {
                Thread.onSpinWait();
            } else if (System.nanoTime() - deadline < 0) {
                Thread.yield();
            } else {
                return false;
            }
        }
    }

    private long nanosUntilNextTimer() {
        TimerSource next = timers.peek();
        if (next == null) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, next.dueNanos - System.nanoTime());
    }

    private boolean runDueTimers() {
        boolean dispatched = false;
        long now = System.nanoTime();
        TimerSource timer;
        while ((timer = timers.peek()) != null && timer.dueNanos - now <= 0) {
            timers.poll();
            if (timer.periodNanos == 0) {
                if (timer.deactivate()) {
                    dispatched = true;
                    runTick(timer);
                }
            } else if (timer.isActive()) {
                dispatched = true;
                if (!runTick(timer)) {
                    timer.deactivate();
                } else if (timer.isActive()) {
                    // A late tick is not repeated to catch up.
                    timer.dueNanos = Math.max(timer.dueNanos + timer.periodNanos, now + 1);
                    timers.add(timer);
                }
            }
        }
        return dispatched;
    }

    private boolean runTick(TimerSource timer) {
        try {
            return timer.tick.getAsBoolean();
        } catch (Throwable failure) {
            reporter.warn("context '" + name + "': a timer threw; the timer is kept", failure);
            return true;
        }
    }

    private boolean runPosted() {
        boolean dispatched = false;
        Runnable event;
        for (int i = 0; i < BATCH && (event = posted.poll()) != null; i++) {
            dispatched = true;
            run(event);
        }
        return dispatched;
    }

    private void run(Runnable action) {
        try {
            action.run();
        } catch (Throwable failure) {
            reporter.warn("context '" + name + "': an event threw", failure);
        }
    }

    /** Runs an I/O callback; a throwing callback keeps its watch. */
    boolean runCallback(IoWatch watch, int readyOps) {
        try {
            return watch.callback.onReady(readyOps);
        } catch (Throwable failure) {
            reporter.warn("context '" + name + "': an I/O watch on " + watch.channel + " threw; the watch is kept",
                    failure);
            return true;
        }
    }

    private void wake() {
        if (!watches.wakeup()) {
            Thread current = driver;
            if (current != null) {
                LockSupport.unpark(current);
            }
        }
    }

    private void runOwnThread() {
        try {
            boolean ranSomething = false;
            while (state == OPEN) {
                ranSomething = iterateOnce(true, ranSomething);
            }
        } finally {
            drainAndTerminate();
        }
    }

    @Override
    public boolean isClosed() {
        return state != OPEN;
    }

    @Override
    public void close() {
        if (!userClosable) {
            throw new UnsupportedOperationException("close: context '" + name
                    + "' is owned by the runtime and cannot be closed");
        }
        shutdown();
    }

    /**
     * Closes the context whoever owns it, with the policy of {@link #close()}.
     */
    public void shutdown() {
        if (!STATE.compareAndSet(this, OPEN, CLOSING)) {
            awaitTerminationUnlessDriving();
            return;
        }
        wake();
        if (ownThread == null && DRIVER.compareAndSet(this, null, Thread.currentThread())) {
            try {
                drainAndTerminate();
            } finally {
                driver = null;
            }
            return;
        }
        // The driver (own thread, or a caller inside iterate) drains when its
        // current iteration ends; see release().
        awaitTerminationUnlessDriving();
    }

    private void awaitTerminationUnlessDriving() {
        if (inContext()) {
            return;
        }
        BatchingThread.releaseHeld();
        boolean interrupted = false;
        while (true) {
            try {
                terminated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        // Terminated, but the own thread may still be on its way out: no
        // thread of ours outlives the close.
        while (ownThread != null && ownThread.isAlive()) {
            try {
                ownThread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * On the driving thread, once CLOSING: runs every event posted before the
     * close, then ends every timer and watch. Runs at most once.
     */
    private void drainAndTerminate() {
        if (state == TERMINATED) {
            return;
        }
        Runnable event;
        while ((event = posted.poll()) != null) {
            run(event);
        }
        for (TimerSource timer : timers) {
            timer.deactivate();
        }
        timers.clear();
        watches.closeAll();
        state = TERMINATED;
        terminated.countDown();
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("context '" + name + "' is closed");
    }

    /**
     * A one-line description for diagnostics: name, who drives it, whether
     * it is open, and how many posted events wait.
     *
     * @return the description
     */
    public String status() {
        String driving = ownThread != null ? "own thread" : "driven by " + describe(driver);
        return name + " [" + driving + "] " + (state == OPEN ? "open" : state == CLOSING ? "closing" : "closed")
                + ", " + posted.size() + " pending";
    }

    @Override
    public String toString() {
        return "EventContext[" + name + (ownThread != null ? ", own thread" : ", caller-driven")
                + (state == OPEN ? "" : state == CLOSING ? ", closing" : ", closed") + "]";
    }
}
