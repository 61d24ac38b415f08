package task.impl.loop;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.jctools.queues.varhandle.MpscUnboundedVarHandleArrayQueue;

import task.api.EventContext;
import task.api.EventSource;
import task.api.IoCallback;
import task.api.Priority;
import task.api.Task;
import task.api.metrics.ContextStats;
import task.impl.jfr.TaskEvents;
import task.impl.log.Reporter;
import task.impl.runner.HeldWakeups;
import task.impl.runner.ManagedBlocking;
import task.impl.runner.Prioritized;

/**
 * The event context: a loop that runs posted events, timers and I/O watches
 * on whichever single thread drives it.
 * <p>
 * <b>Life:</b> {@code state} goes OPEN -> CLOSING -> TERMINATED, by CAS.
 * In CLOSING no post is accepted and the driver drains the queue; at
 * TERMINATED every source is inactive and {@code terminated} is released.
 * A close that gave up waiting (see {@link #close()}) leaves the loop in
 * CLOSING until its driver returns from the callback and drains; only the
 * driver moves it to TERMINATED, so the late drain is the same drain.
 * <p>
 * <b>Driver:</b> {@code driver} is the thread allowed to run the loop, taken
 * by CAS from null (caller-driven contexts, per {@link #iterate}) or held for
 * life by the context's own thread. The queue of posted events is
 * multi-producer, single-consumer: only the driver polls it. Timers (a heap)
 * and watches (a selector) are confined to the driver; other threads reach
 * them by posting.
 * <p>
 * <b>Sleeping:</b> before blocking, the driver sets {@code sleeping} and then
 * re-checks the queue; a poster offers its event, issues a full fence and
 * then reads {@code sleeping}, waking the driver if set. Both are
 * sequentially consistent (a volatile write, or the offer and the fence, then
 * a read on each side), so either the driver sees the event or the poster
 * sees the driver asleep: no wake-up is lost. The fence is needed because the
 * queue's offer is not always sequentially consistent by itself (see
 * {@code posted}).
 * <p>
 * <b>Priorities</b> ({@link #post(Runnable, int)}, {@link #postClaimed(Runnable, int)}):
 * events of {@link Priority#DEFAULT} take {@code posted}, as they always
 * have; any other priority goes to a second, rarely used queue:
 * {@code prioritizedArrivals}, lock-free and multi-producer, which only the
 * driver drains into {@code prioritizedWaiting}, a heap ordered by priority
 * and then arrival (numbered by the driver as it drains: the arrivals
 * queue is FIFO, so one poster's events keep their order). The volatile
 * {@code prioritizedCount} counts the entries of both, never fewer: a poster
 * raises it (a volatile read-modify-write) before its offer, the driver
 * lowers it only after it took an entry out of the heap. So a count of 0
 * means both are empty; a count above 0 may, for an instant, announce an
 * entry still being offered, which the driver then does not find (it looks
 * again on its next iteration, and does not sleep meanwhile). Were the
 * count raised after the offer, the driver could take an entry before its
 * raise and lower the count to 0 under another entry still waiting, which
 * the close's drain would then miss. The driver takes its next event
 * through {@link #nextPosted()}: while the count is 0 (a context that
 * never sees a priority) that is {@code posted.poll()} alone; else an entry
 * above the default (a lower number) comes before any default event, one
 * below only once {@code posted} is empty. Wherever the arguments below
 * read "the queue" (the sleeping handshake, the close race, the drain),
 * they read both queues: a poster raises the count, offers, fences (as for
 * {@code posted}) and re-reads {@code state} and {@code sleeping}; the
 * driver writes those and then reads the count and the queues. A
 * steady stream of higher-priority events starves lower ones, as in GLib.
 * Timers and watches are not ordered by it: each iteration runs I/O, then
 * due timers, then posted events.
 * <p>
 * <b>Spinning:</b> the loop's own thread, after an iteration that ran
 * something, polls the queue for a short while ({@link #SPIN_NANOS}, first
 * busy-waiting, then yielding the processor) before it blocks: a completion
 * that arrives meanwhile costs neither its poster a wake-up (a system call)
 * nor the loop a sleep. An idle loop spins once, after its last event, and
 * then sleeps: idle costs nothing. A loop with I/O watches does not spin: it
 * waits in its selector, which sees readiness at once (a spin would not).
 * <p>
 * <b>Close race:</b> a poster offers, fences (as above), then re-reads
 * {@code state}; the closing driver sets CLOSING, then drains until the
 * queue is empty. Either
 * the drain takes the event (and runs it) or the poster sees CLOSING and
 * takes it back, by the event's own CAS: it runs or is rejected, exactly once
 * (for {@link #postClaimed} events the CAS is the event's own claim).
 * <p>
 * <b>Failures:</b> nothing thrown ends the loop's thread. Each event, tick
 * and I/O callback runs inside a catch of {@link Throwable} and is reported
 * through a {@linkplain Reporter#guarded guarded} reporter, which cannot
 * throw; whatever still escapes an iteration (a failing selector, an
 * {@code Error} where no callback runs) is caught by the own thread's outer
 * loop, reported, and followed by a pause that doubles from
 * {@link #MIN_PAUSE_NANOS} to {@link #MAX_PAUSE_NANOS} while the failures go
 * on (reset by an iteration without one), so a persistent failure neither
 * spins nor floods the log.
 * <p>
 * <b>What runs:</b> around each dispatch the driver writes {@code dispatches}
 * (one more at the start and at the end, opaque) and then {@code running}
 * (the event, timer or watch, or null; a release store), two plain stores on
 * x86 and no clock read: the task round trip is the hot path. Readers (the
 * stall checker of {@link LoopDirectory}, {@link #status()}, a close that
 * gives up) read {@code running} with acquire and then {@code dispatches}: a
 * reader that sees a dispatch's {@code running} sees its count or a later
 * one, so an unchanged count with the same {@code running} at two reads means
 * one dispatch lasted from the first to the second. Names are derived only
 * by readers: a task completion is the task itself, so its name is at hand.
 * <p>
 * <b>Bounded close:</b> {@link #close()} waits at most the close grace for
 * the loop to end; see there.
 */
public final class EventLoop implements EventContext {
    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int TERMINATED = 2;
    /** Posted events run per iteration at most, so timers and I/O are not starved. */
    private static final int BATCH = 1024;
    /** Slots per chunk of the posted-event queue: a backlog that fits in one allocates nothing. */
    private static final int CHUNK = 1024;
    /** How long the own thread polls for posted events before it blocks, after running some. */
    private static final long SPIN_NANOS = 50_000;
    /** Polls that only busy-wait, before the spin starts yielding the processor. */
    private static final int BUSY_POLLS = 100;
    /** The first pause after a failed iteration. */
    static final long MIN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The longest pause: one report a second at most while a failure persists. */
    static final long MAX_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long {@link #close()} waits for a running callback unless told otherwise. */
    public static final Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(10);

    private static final VarHandle STATE;
    private static final VarHandle DRIVER;
    private static final VarHandle RUNNING;
    private static final VarHandle DISPATCHES;
    private static final VarHandle PRIORITIZED_COUNT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(EventLoop.class, "state", int.class);
            DRIVER = lookup.findVarHandle(EventLoop.class, "driver", Thread.class);
            RUNNING = lookup.findVarHandle(EventLoop.class, "running", Object.class);
            DISPATCHES = lookup.findVarHandle(EventLoop.class, "dispatches", long.class);
            PRIORITIZED_COUNT = lookup.findVarHandle(EventLoop.class, "prioritizedCount", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Reporter reporter;
    private final boolean userClosable;
    /** The context's own thread (a plain daemon thread), or null if caller-driven. */
    private final Thread ownThread;
    /** The worker wake-ups the own thread holds while a batch runs; null if caller-driven. */
    private final HeldWakeups heldWakeups;
    private final Duration closeGrace;
    /**
     * PostedEvents (from post) and self-claiming events (from postClaimed).
     * Many producers, one consumer (the driver): JCTools' unbounded MPSC
     * array queue in its VarHandle flavour (jctools-core-jdk11), which does
     * not touch {@code sun.misc.Unsafe} (JDK 24 and later warn at its first
     * use, JEP 498) and allocates no node per event: it reuses its chunk of
     * {@link #CHUNK} slots while the backlog fits, and links a new chunk for
     * a longer one. Offers are lock-free (a CAS claims the slot, a release
     * store fills it); poll() returns null only if the producer index it
     * reads equals its own, and waits for a claimed slot still being
     * written. One exception: an offer that links a new chunk claims its
     * index with a CAS but publishes it with a release store only, and a
     * poll or isEmpty() in between sees an empty queue. A release store
     * followed by a read of {@code state} or {@code sleeping} is not
     * sequentially consistent, so {@link #post} and {@link #postClaimed}
     * issue a full fence after the offer: then a drain or re-check that
     * still finds the queue empty comes before the poster's read in that
     * order, and the poster sees CLOSING or the driver asleep.
     */
    private final MpscUnboundedVarHandleArrayQueue<Runnable> posted = new MpscUnboundedVarHandleArrayQueue<>(CHUNK);
    /**
     * Events and self-claiming completions posted with a priority other
     * than {@link Priority#DEFAULT}, not yet seen by the driver; many
     * producers, one consumer (the driver). See the class comment.
     */
    private final ConcurrentLinkedQueue<Prioritized> prioritizedArrivals = new ConcurrentLinkedQueue<>();
    /** Confined to the driver: the prioritized entries it has taken from the arrivals, best first. */
    private final PriorityQueue<Prioritized> prioritizedWaiting = new PriorityQueue<>();
    /** Confined to the driver: numbers the prioritized entries in their order of arrival. */
    private long prioritizedSequence;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Watches watches = new Watches(this);
    /** Confined to the driver. */
    private final PriorityQueue<TimerSource> timers = new PriorityQueue<>();
    /** Confined to the driver. */
    private long timerSequence;

    private volatile int state = OPEN;
    private volatile Thread driver;
    private volatile boolean sleeping;
    /**
     * At least the number of prioritized entries in
     * {@code prioritizedArrivals} and {@code prioritizedWaiting}: raised by a
     * poster before its offer, lowered by the driver after it took one out;
     * 0 on a context that never sees a priority. See the class comment.
     */
    private volatile int prioritizedCount;

    /** The event, timer or watch being dispatched, or null; see the class comment. */
    private Object running;
    /** Dispatch starts and ends so far; written by the driver only; see the class comment. */
    private long dispatches;
    /** The stall checker's latest sighting of a dispatch; written by the checker only. */
    private volatile Sighting sighting;
    /** Confined to the driver: the pause after the next failure; 0 while iterations succeed. */
    private long pauseNanos;
    /** Confined to the driver: the current iteration has failed. */
    private boolean failedThisIteration;
    /** Confined to the driver: iterations in progress, more than one while a callback drives its own context. */
    private int iterationDepth;
    /** Lag and busy time, for {@link #stats()}. */
    private final ContextMeter meter = new ContextMeter();

    private EventLoop(String name, Reporter reporter, boolean userClosable, boolean ownThread, Duration closeGrace) {
        this.name = requireName(name);
        this.reporter = Reporter.guarded(reporter);
        this.userClosable = userClosable;
        this.closeGrace = requireGrace(closeGrace);
        this.heldWakeups = ownThread ? new HeldWakeups() : null;
        this.ownThread = ownThread ? heldWakeups.newOwnThread(this::runOwnThread, this.name) : null;
    }

    /**
     * Creates a context driven by callers of {@link #iterate(boolean)}, with
     * the {@linkplain #DEFAULT_CLOSE_GRACE default close grace}.
     *
     * @param name a non-blank name
     * @param reporter where callback failures go; not null
     * @return the open context
     * @throws IllegalArgumentException if the name is blank
     */
    public static EventLoop driven(String name, Reporter reporter) {
        return driven(name, reporter, DEFAULT_CLOSE_GRACE);
    }

    /**
     * Creates a context driven by callers of {@link #iterate(boolean)}.
     *
     * @param name a non-blank name
     * @param reporter where callback failures go; not null
     * @param closeGrace how long {@link #close()} waits for a running
     *        callback; not negative
     * @return the open context
     * @throws IllegalArgumentException if the name is blank or the grace negative
     */
    public static EventLoop driven(String name, Reporter reporter, Duration closeGrace) {
        return new EventLoop(name, reporter, true, false, closeGrace);
    }

    /**
     * Creates a context and starts its own daemon thread, named {@code name}.
     *
     * @param name a non-blank name
     * @param reporter where callback failures go; not null
     * @param userClosable false for the default context, which only
     *        {@link #shutdown()} ends
     * @param closeGrace how long {@link #close()} waits for a running
     *        callback; not negative
     * @return the running context
     * @throws IllegalArgumentException if the name is blank or the grace negative
     */
    public static EventLoop started(String name, Reporter reporter, boolean userClosable, Duration closeGrace) {
        EventLoop loop = new EventLoop(name, reporter, userClosable, true, closeGrace);
        loop.driver = loop.ownThread;
        loop.ownThread.setDaemon(true);
        loop.ownThread.start();
        return loop;
    }

    static String requireName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("event context: name must not be blank, got '" + name + "'");
        }
        return name;
    }

    static Duration requireGrace(Duration closeGrace) {
        Objects.requireNonNull(closeGrace, "closeGrace");
        if (closeGrace.isNegative()) {
            throw new IllegalArgumentException("event context: closeGrace must not be negative, got " + closeGrace);
        }
        return closeGrace;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public EventSource post(Runnable event) {
        Objects.requireNonNull(event, "event");
        if (state != OPEN) {
            throw rejected();
        }
        PostedEvent posting = new PostedEvent(event);
        posted.offer(meter.sampled(posting));
        VarHandle.fullFence(); // the offer, then state and sleeping: see posted
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
        posted.offer(meter.sampled(event));
        VarHandle.fullFence(); // the offer, then state and sleeping: see posted
        if (state != OPEN) {
            throw rejected();
        }
        if (sleeping) {
            wake();
        }
    }

    /**
     * Posts an event with a priority, as {@link EventContext#post(Runnable, int)}
     * says: {@link Priority#DEFAULT} is {@link #post(Runnable)}; another
     * priority takes the second queue (see the class comment). Any thread.
     */
    @Override
    public EventSource post(Runnable event, int priority) {
        if (priority == Priority.DEFAULT) {
            return post(event);
        }
        Objects.requireNonNull(event, "event");
        if (state != OPEN) {
            throw rejected();
        }
        PostedEvent posting = new PostedEvent(event);
        offerPrioritized(posting, priority);
        if (state != OPEN && posting.deactivate()) {
            throw rejected();
        }
        if (sleeping) {
            wake();
        }
        return posting;
    }

    /**
     * {@link #postClaimed(Runnable)} with a priority: a task's completion
     * ordered by the task's priority among the pending events.
     * {@link Priority#DEFAULT} is {@link #postClaimed(Runnable)}.
     *
     * @param event the self-claiming event
     * @param priority its priority; see {@link Priority}
     * @throws RejectedExecutionException as {@link #postClaimed(Runnable)}
     */
    public void postClaimed(Runnable event, int priority) {
        if (priority == Priority.DEFAULT) {
            postClaimed(event);
            return;
        }
        if (state != OPEN) {
            throw rejected();
        }
        offerPrioritized(event, priority);
        if (state != OPEN) {
            throw rejected();
        }
        if (sleeping) {
            wake();
        }
    }

    /**
     * Raises the count, then offers a prioritized entry and fences: the
     * count before the entry, so that it never counts fewer entries than
     * wait (see the class comment); the fence, so that the offer is
     * sequentially consistent with the reads of {@code state} and
     * {@code sleeping} the caller makes next (the Dekker of the class
     * comment), as after an offer to {@code posted}.
     */
    private void offerPrioritized(Runnable event, int priority) {
        PRIORITIZED_COUNT.getAndAdd(this, 1);
        prioritizedArrivals.offer(new Prioritized(meter.sampled(event), priority));
        VarHandle.fullFence(); // the offer, then state and sleeping: see posted
    }

    /**
     * On the driver: the next posted event to run, or null if none is
     * pending (see "Priorities" in the class comment).
     */
    private Runnable nextPosted() {
        return prioritizedCount == 0 ? posted.poll() : nextOfBothQueues();
    }

    /** Whether an event is pending in either queue; for the driver's checks before it blocks. */
    private boolean anyPosted() {
        return !posted.isEmpty() || prioritizedCount != 0;
    }

    /** {@link #nextPosted()} while a prioritized entry may be pending. On the driver. */
    private Runnable nextOfBothQueues() {
        Prioritized arrived;
        while ((arrived = prioritizedArrivals.poll()) != null) {
            arrived.sequence = prioritizedSequence++;
            prioritizedWaiting.add(arrived);
        }
        Prioritized best = prioritizedWaiting.peek();
        if (best != null && best.priority < Priority.DEFAULT) {
            return takeBestPrioritized();
        }
        Runnable event = posted.poll();
        if (event != null || best == null) {
            return event; // (none at all: a raised count whose entry is still being offered)
        }
        return takeBestPrioritized(); // below the default, and no default event pending
    }

    private Runnable takeBestPrioritized() {
        Runnable event = prioritizedWaiting.poll().work;
        PRIORITIZED_COUNT.getAndAdd(this, -1);
        return event;
    }

    @Override
    public EventSource schedule(Duration delay, Runnable event) {
        checkSchedule(delay, event);
        return addTimer(delay, 0, () -> {
            event.run();
            return false;
        }, event);
    }

    @Override
    public EventSource every(Duration period, BooleanSupplier tick) {
        checkEvery(period, tick);
        return addTimer(period, saturatedNanos(period), tick, tick);
    }

    /** The arguments of {@link #schedule}, checked as every context checks them. */
    static void checkSchedule(Duration delay, Runnable event) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(event, "event");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("schedule: delay must not be negative, got " + delay);
        }
    }

    /** The arguments of {@link #every}, checked as every context checks them. */
    static void checkEvery(Duration period, BooleanSupplier tick) {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(tick, "tick");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("every: period must be positive, got " + period);
        }
    }

    private EventSource addTimer(Duration delay, long periodNanos, BooleanSupplier tick, Object origin) {
        long due = System.nanoTime() + saturatedNanos(delay);
        TimerSource timer = new TimerSource(this, due, periodNanos, tick, origin);
        post(() -> {
            if (timer.isActive()) {
                timer.sequence = timerSequence++;
                timers.add(timer);
            }
        });
        return timer;
    }

    static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }

    @Override
    public EventSource watch(SelectableChannel channel, int ops, IoCallback callback) {
        checkWatch(channel, ops, callback);
        IoWatch watch = new IoWatch(this, channel, ops, callback);
        post(() -> watches.add(watch));
        return watch;
    }

    /** The arguments of {@link #watch}, checked as every context checks them. */
    static void checkWatch(SelectableChannel channel, int ops, IoCallback callback) {
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
            HeldWakeups.releaseHeld(); // a context's thread may drive another one from a callback
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
        failedThisIteration = false;
        long waitNanos = mayBlock ? nanosUntilNextTimer() : 0;
        if (waitNanos > 0 && spinFirst && !watches.any() && awaitPostedBriefly()) {
            waitNanos = 0;
        }
        if (waitNanos > 0) {
            sleeping = true;
            if (anyPosted() || state != OPEN) {
                waitNanos = 0;
            }
        }
        boolean dispatched;
        if (ownThread == null) {
            dispatched = waitAndDispatch(waitNanos, mayBlock);
        } else {
            // One batch per iteration: the worker wake-ups its events need are given once, at its end.
            heldWakeups.beginBatch();
            try {
                dispatched = waitAndDispatch(waitNanos, mayBlock);
            } finally {
                heldWakeups.endBatch();
            }
        }
        if (!failedThisIteration) {
            pauseNanos = 0;
        }
        return dispatched;
    }

    /**
     * The rest of an iteration: wait up to {@code waitNanos}, then I/O, due
     * timers, posted events. A failing wait (an {@code IOException} or, from
     * a selector that was closed or broke, a {@code RuntimeException}) is
     * reported and followed by a pause if {@code mayPause}; the timers and
     * posted events run regardless, so a broken selector does not stop them.
     */
    private boolean waitAndDispatch(long waitNanos, boolean mayPause) {
        Exception waitFailure = null;
        try {
            watches.await(waitNanos);
        } catch (IOException | RuntimeException e) {
            waitFailure = e;
        } finally {
            sleeping = false;
        }
        if (waitFailure != null) {
            failed("waiting for I/O failed", waitFailure, mayPause);
        }
        if (ownThread != null) {
            // Nobody may interrupt the loop into spinning; callbacks run uninterrupted.
            Thread.interrupted();
        }
        long start = System.nanoTime(); // the timers' "now", and the start of the busy time (ContextMeter)
        iterationDepth++;
        boolean dispatched = false;
        try {
            dispatched = waitFailure == null && watches.dispatchReady(); // a failed selector selected nothing
            dispatched |= runDueTimers(start);
            dispatched |= runPosted();
        } finally {
            if (--iterationDepth == 0 && dispatched) {
                meter.addBusy(System.nanoTime() - start);
            }
        }
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
            if (anyPosted() || state != OPEN) {
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

    /** Runs the timers due at {@code now} (a {@link System#nanoTime()} of this iteration). */
    private boolean runDueTimers(long now) {
        boolean dispatched = false;
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
        Object outer = beginDispatch(timer);
        try {
            return timer.tick.getAsBoolean();
        } catch (Throwable failure) {
            report("a timer threw; the timer is kept", failure);
            return true;
        } finally {
            endDispatch(outer);
        }
    }

    private boolean runPosted() {
        boolean dispatched = false;
        Runnable event;
        for (int i = 0; i < BATCH && (event = nextPosted()) != null; i++) {
            dispatched = true;
            run(event);
        }
        return dispatched;
    }

    /** Runs an event taken from a queue (a sampled post unwrapped, its lag recorded). */
    private void run(Runnable taken) {
        Runnable action = ContextMeter.arrived(taken);
        Object outer = beginDispatch(action);
        try {
            action.run();
        } catch (Throwable failure) {
            report("an event threw", failure);
        } finally {
            endDispatch(outer);
        }
    }

    /** Runs an I/O callback; a throwing callback keeps its watch. */
    boolean runCallback(IoWatch watch, int readyOps) {
        Object outer = beginDispatch(watch);
        try {
            return watch.callback.onReady(readyOps);
        } catch (Throwable failure) {
            report("an I/O watch threw; the watch is kept", watch.channel, failure);
            return true;
        } finally {
            endDispatch(outer);
        }
    }

    /**
     * On the driver, as a dispatch starts (see the class comment).
     *
     * @return what ran before, restored by {@link #endDispatch}: a callback
     *         may drive its own context, nesting a dispatch
     */
    private Object beginDispatch(Object what) {
        Object outer = running; // the driver reads its own writes
        DISPATCHES.setOpaque(this, dispatches + 1);
        RUNNING.setRelease(this, what);
        return outer;
    }

    private void endDispatch(Object outer) {
        DISPATCHES.setOpaque(this, dispatches + 1);
        RUNNING.setRelease(this, outer);
    }

    /** Reports a failure of this context; never throws (the reporter is guarded). */
    void report(String what, Throwable failure) {
        report(what, null, failure);
    }

    /**
     * Reports {@code what}, naming {@code subject} if not null. Building the
     * message may itself fail (out of memory, a subject's toString); the
     * report then goes out with the constant text alone.
     */
    private void report(String what, Object subject, Throwable failure) {
        String message;
        try {
            message = "context '" + name + "': " + what + (subject == null ? "" : " (" + subject + ")");
        } catch (Throwable unbuildable) {
            message = what;
        }
        reporter.warn(message, failure);
    }

    /**
     * On the driver, after an iteration's failure: reports it and, if the
     * thread may block, pauses (see the class comment). The pause is a full
     * timed wait that posts do not cut short; holding no worker wake-up.
     */
    private void failed(String what, Throwable failure, boolean mayPause) {
        failedThisIteration = true;
        pauseNanos = pauseNanos == 0 ? MIN_PAUSE_NANOS : Math.min(MAX_PAUSE_NANOS, pauseNanos * 2);
        report(what + "; the context goes on", mayPause ? "next try in " + pauseNanos / 1_000_000.0 + " ms" : null,
                failure);
        if (!mayPause) {
            return;
        }
        HeldWakeups.releaseHeld();
        long deadline = System.nanoTime() + pauseNanos;
        for (long left = pauseNanos; left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(this, left);
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

    /**
     * The own thread's body. Nothing thrown ends it (see the class comment):
     * like {@code ThreadPoolExecutor.runWorker}, minus the dying.
     */
    private void runOwnThread() {
        boolean ranSomething = false;
        while (state == OPEN) {
            try {
                ranSomething = iterateOnce(true, ranSomething);
            } catch (Throwable failure) {
                ranSomething = false;
                survive(failure);
            }
        }
        drainAndTerminate();
    }

    /**
     * After a throwable escaped an iteration, at the top of the own thread's
     * stack: reports it and pauses. {@code failed} reports through the
     * guarded reporter; only the heap or stack running out inside this very
     * call can still throw here, and the loop then simply goes on.
     */
    private void survive(Throwable failure) {
        try {
            sleeping = false;
            failed("an iteration failed", failure, true);
        } catch (Throwable again) {
            failedThisIteration = true;
        }
    }

    @Override
    public boolean isClosed() {
        return state != OPEN;
    }

    /**
     * Closes the context (see {@link EventContext#close()}), waiting for it
     * to end at most its close grace (given at creation;
     * {@link #DEFAULT_CLOSE_GRACE} by default). If a callback still runs
     * then (it blocks, or never returns), this warns, naming the context,
     * what its thread runs and that thread's stack, and returns. The thread
     * is not interrupted or stopped: it keeps running the callback; the
     * context refuses posts from the start of the close; when the callback
     * returns, the thread runs the events still pending, ends the timers and
     * watches, closes its selector and ends, so nothing is leaked, only late.
     * From the context's own thread it returns at once.
     *
     * @throws UnsupportedOperationException for the default context
     */
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
     * Any thread; from the context's own thread it returns at once, the loop
     * ending when the current iteration does.
     */
    public void shutdown() {
        long deadline = System.nanoTime() + saturatedNanos(closeGrace);
        startShutdown();
        awaitTermination(deadline);
    }

    /**
     * The first half of {@link #shutdown()}: refuses posts from now on and
     * has the loop drain and end, without waiting for it (a caller-driven
     * context nobody drives is drained here and now). Idempotent; any thread.
     */
    void startShutdown() {
        if (!STATE.compareAndSet(this, OPEN, CLOSING)) {
            return;
        }
        wake();
        if (ownThread == null && DRIVER.compareAndSet(this, null, Thread.currentThread())) {
            try {
                drainAndTerminate();
            } finally {
                driver = null;
            }
        }
        // Otherwise the driver (own thread, or a caller inside iterate)
        // drains when its current iteration ends; see release().
    }

    /**
     * The second half of {@link #shutdown()}: waits until the loop has ended
     * and its own thread is gone, or until {@code deadlineNanos} (a
     * {@link System#nanoTime()}), and then warns with what the loop's thread
     * runs and its stack. Returns at once on the driving thread, which would
     * wait for itself. Uninterruptible; the interrupt status is kept.
     */
    void awaitTermination(long deadlineNanos) {
        if (inContext()) {
            return;
        }
        HeldWakeups.releaseHeld();
        boolean interrupted = false;
        boolean ended;
        // A worker of a full pool closing a context may wait for one of the
        // pool's own jobs: a stand-in thread may run meanwhile.
        boolean managed = ManagedBlocking.begin();
        try {
            while (true) {
                try {
                    ended = terminated.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (ended) {
                // Terminated, and the own thread has nothing left but to return
                // from its run method: no thread of ours outlives the close.
                while (ownThread != null && ownThread.isAlive()) {
                    try {
                        ownThread.join();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
        } finally {
            ManagedBlocking.end(managed);
        }
        if (!ended) {
            warnStuck();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void warnStuck() {
        Thread thread = driver;
        Object what = RUNNING.getAcquire(this);
        report("close gave up waiting after " + closeGrace.toMillis() + " ms: thread '" + describe(thread)
                + "' is still running " + describeDispatch(what) + "; the context refuses posts, and when that"
                + " returns it runs its pending events and ends, and its thread with it",
                thread == null ? null : ThreadStack.of(thread, thread.getStackTrace()));
    }

    /**
     * On the driving thread, once CLOSING: runs every event posted before the
     * close, then ends every timer and watch. Runs at most once, and always
     * terminates: {@link #run} reports what an event throws, so a throwable
     * here is a report that failed for want of heap or stack, and the event
     * it belonged to has left the queue; the drain goes on with the next.
     */
    private void drainAndTerminate() {
        if (state == TERMINATED) {
            return;
        }
        boolean drained = false;
        while (!drained) {
            try {
                Runnable event;
                while ((event = nextPosted()) != null) {
                    run(event);
                }
                drained = true;
            } catch (Throwable failure) {
                report("draining the closing context failed; it goes on with the next event", failure);
            }
        }
        try {
            for (TimerSource timer : timers) {
                timer.deactivate();
            }
            timers.clear();
            watches.closeAll();
        } catch (Throwable failure) {
            // A selector that broke may refuse to list its keys; the loop ends regardless.
            report("ending the closing context's timers and watches failed", failure);
        } finally {
            state = TERMINATED;
            terminated.countDown();
        }
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("context '" + name + "' is closed");
    }

    /**
     * The posted events (completions included) waiting to run now, for
     * {@link task.api.TaskInspector#stats()}. Approximate (the queue's size
     * read by another thread than its consumer). Any thread.
     *
     * @return zero or more
     */
    public int pending() {
        return posted.size() + prioritizedCount;
    }

    /**
     * This context's statistics: pending events, the lag from post to run
     * of a sample of the posted events, and the time spent dispatching (see
     * {@link ContextMeter}). Any thread; approximate while the loop runs.
     *
     * @return the statistics now
     */
    public ContextStats stats() {
        return meter.stats(name, pending());
    }

    /**
     * A one-line description for diagnostics: name, who drives it, whether
     * it is open, how many posted events wait, and what it runs: "idle", or
     * "running X since T (N ms)" with T the time the stall checker first saw
     * that dispatch (at most a check period after it began), or "running X"
     * before the checker has seen it (or with the checker off). Any thread.
     *
     * @return the description
     */
    public String status() {
        String driving = ownThread != null ? "own thread" : "driven by " + describe(driver);
        return name + " [" + driving + "] " + (state == OPEN ? "open" : state == CLOSING ? "closing" : "closed")
                + ", " + pending() + " pending, " + activity();
    }

    private String activity() {
        Object what = RUNNING.getAcquire(this);
        long count = (long) DISPATCHES.getOpaque(this);
        if (what == null) {
            return "idle";
        }
        Sighting seen = sighting;
        if (seen == null || seen.dispatches != count) {
            return "running " + describeDispatch(what);
        }
        long forNanos = System.nanoTime() - seen.sinceNanos;
        return "running " + describeDispatch(what) + " since "
                + Instant.now().minusNanos(forNanos).truncatedTo(ChronoUnit.MILLIS) + " (" + forNanos / 1_000_000
                + " ms)";
    }

    /**
     * One look of the stall checker (its thread only): reports, once per
     * dispatch, a dispatch that has run for {@code thresholdNanos} or more,
     * with the loop thread's stack. A dispatch is first seen by one look and
     * measured from then; the report is made only if the same dispatch still
     * runs after the stack was taken, so the stack is the stalled one's.
     *
     * @param now the look's {@link System#nanoTime()}
     * @param thresholdNanos the stall threshold, positive
     */
    void checkStall(long now, long thresholdNanos) {
        Object what = RUNNING.getAcquire(this);
        long count = (long) DISPATCHES.getOpaque(this);
        Thread thread = driver;
        if (what == null || thread == null) {
            return;
        }
        Sighting seen = sighting;
        if (seen == null || seen.dispatches != count) {
            sighting = new Sighting(count, now);
            return;
        }
        if (seen.reported || now - seen.sinceNanos < thresholdNanos) {
            return;
        }
        StackTraceElement[] stack = thread.getStackTrace();
        if (RUNNING.getAcquire(this) != what || (long) DISPATCHES.getOpaque(this) != count) {
            return; // it ended while the stack was taken: not the stalled one's
        }
        seen.reported = true;
        if (TaskEvents.AVAILABLE) {
            TaskEvents.stall(name, describeDispatch(what), thread.getName(), now - seen.sinceNanos);
        }
        report(describeDispatch(what) + " has been running for " + (now - seen.sinceNanos) / 1_000_000
                + " ms or more on thread '" + thread.getName() + "' and blocks the context (stall threshold "
                + thresholdNanos / 1_000_000 + " ms; reported once per stall)", ThreadStack.of(thread, stack));
    }

    /** A dispatch the stall checker has seen: immutable but for {@code reported}, which only the checker uses. */
    private static final class Sighting {
        final long dispatches;
        final long sinceNanos;
        boolean reported;

        Sighting(long dispatches, long sinceNanos) {
            this.dispatches = dispatches;
            this.sinceNanos = sinceNanos;
        }
    }

    /**
     * Names a dispatch without running user code: a task by its name and id,
     * any other event, tick or callback by its class (or its channel).
     */
    static String describeDispatch(Object what) {
        if (what == null) {
            return "nothing (between events)";
        }
        Object subject = what instanceof PostedEvent ? ((PostedEvent) what).action : what;
        try {
            if (subject instanceof Task) {
                Task<?, ?> task = (Task<?, ?>) subject;
                return "task '" + task.name() + "' (#" + task.id() + ")";
            }
            if (subject instanceof TimerSource) {
                Object origin = ((TimerSource) subject).origin;
                return origin instanceof Described ? ((Described) origin).description()
                        : "a timer (" + origin.getClass().getName() + ")";
            }
            if (subject instanceof IoWatch) {
                IoWatch watch = (IoWatch) subject;
                return (watch.callback instanceof Described ? ((Described) watch.callback).description()
                        : "an I/O watch") + " on " + watch.channel;
            }
            return "an event (" + subject.getClass().getName() + ")";
        } catch (RuntimeException broken) {
            return subject.getClass().getName();
        }
    }

    @Override
    public String toString() {
        return "EventContext[" + name + (ownThread != null ? ", own thread" : ", caller-driven")
                + (state == OPEN ? "" : state == CLOSING ? ", closing" : ", closed") + "]";
    }
}
