package task.impl.loop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import task.api.ContextInfo;
import task.api.metrics.ContextStats;

/**
 * The event contexts of one runtime, for diagnostics (the shell's context
 * list), and their stall checker: one daemon thread, {@value #CHECKER_NAME},
 * that looks at every open context each quarter of the stall threshold and
 * reports a dispatch (an event, a task's completion, a timer tick, an I/O
 * callback) that has run for the threshold or longer, once per dispatch,
 * with the stack of the context's thread (see
 * {@link EventLoop#checkStall}). The loops pay for it with two plain stores
 * per dispatch; the checker pays the clock.
 * <p>
 * Checker life (guarded by {@code this}): none -> running, when a context is
 * registered while the directory is open and the threshold is positive;
 * running -> none, when a look finds no open context (the next registration
 * starts a new one) or {@link #close()} stops it, which waits for it to end.
 * A registration adds its loop before it takes the monitor, and the checker
 * decides to end under the monitor, so it either sees the new loop or has
 * ended before the registration looks, which then starts another.
 * <p>
 * Adopted executors ({@link ExecutorContext}) are listed too, and share the
 * directory's timer and I/O thread ({@link ExecutorHops}), which
 * {@link #close()} stops; their callbacks run on their executors, so the
 * stall checker does not look at them.
 * <p>
 * Closed contexts leave the list when they are next listed or looked at.
 * Threading: any thread.
 */
public final class LoopDirectory implements AutoCloseable {
    /** How long a dispatch may run before it is reported, unless told otherwise. */
    public static final Duration DEFAULT_STALL_THRESHOLD = Duration.ofSeconds(2);
    static final String CHECKER_NAME = "task-context-checker";
    private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Set<EventLoop> loops = ConcurrentHashMap.newKeySet();
    private final Set<ExecutorContext> adopted = ConcurrentHashMap.newKeySet();
    private final ExecutorHops hops = new ExecutorHops();
    /** Zero: no checker. */
    private final long thresholdNanos;
    /** Guarded by this. */
    private Thread checker;
    /** Guarded by this. */
    private boolean closed;

    /**
     * Creates an empty directory.
     *
     * @param stallThreshold how long a dispatch may run before it is
     *        reported; zero turns the checker off; not negative
     * @throws IllegalArgumentException if the threshold is negative
     * @throws NullPointerException if it is null
     */
    public LoopDirectory(Duration stallThreshold) {
        Objects.requireNonNull(stallThreshold, "stallThreshold");
        if (stallThreshold.isNegative()) {
            throw new IllegalArgumentException("event contexts: stallThreshold must not be negative, got "
                    + stallThreshold);
        }
        long nanos;
        try {
            nanos = stallThreshold.toNanos();
        } catch (ArithmeticException tooLong) {
            nanos = Long.MAX_VALUE / 2;
        }
        this.thresholdNanos = nanos;
    }

    /**
     * Lists the open contexts.
     *
     * @return a snapshot, sorted by name
     */
    public List<EventLoop> open() {
        loops.removeIf(EventLoop::isClosed);
        List<EventLoop> snapshot = new ArrayList<>(loops);
        snapshot.sort(Comparator.comparing(EventLoop::name));
        return snapshot;
    }

    /**
     * Describes the open contexts, as {@link task.api.TaskInspector#contexts()} does.
     *
     * @return a snapshot, sorted by name, each with its {@link EventLoop#status()}
     */
    public List<ContextInfo> describeOpen() {
        List<ContextInfo> infos = new ArrayList<>();
        for (EventLoop loop : open()) {
            infos.add(new ContextInfo(loop.name(), loop.status()));
        }
        adopted.removeIf(ExecutorContext::isClosed);
        for (ExecutorContext context : adopted) {
            infos.add(new ContextInfo(context.name(), context.status()));
        }
        infos.sort(Comparator.comparing(ContextInfo::name));
        return infos;
    }

    /**
     * The open contexts' statistics, for {@link task.api.TaskInspector#stats()}:
     * the event loops' and the adopted executors'.
     *
     * @return a snapshot, sorted by name; any thread
     */
    public List<ContextStats> stats() {
        List<ContextStats> stats = new ArrayList<>();
        for (EventLoop loop : open()) {
            stats.add(loop.stats());
        }
        adopted.removeIf(ExecutorContext::isClosed);
        for (ExecutorContext context : adopted) {
            stats.add(context.stats());
        }
        stats.sort(Comparator.comparing(ContextStats::name));
        return stats;
    }

    /**
     * Lists an adopted executor until it is closed.
     *
     * @param context the context; not null
     */
    void register(ExecutorContext context) {
        adopted.add(Objects.requireNonNull(context, "context"));
    }

    /** @return the timer and I/O thread the adopted executors of this runtime share */
    ExecutorHops hops() {
        return hops;
    }

    /**
     * Lists a context until it is closed, and has the stall checker watch it.
     *
     * @param loop the context; not null
     * @return the context
     */
    public EventLoop register(EventLoop loop) {
        loops.add(Objects.requireNonNull(loop, "loop"));
        startChecker();
        return loop;
    }

    private synchronized void startChecker() {
        if (thresholdNanos == 0 || closed || checker != null) {
            return;
        }
        Thread thread = new Thread(this::check, CHECKER_NAME);
        thread.setDaemon(true);
        checker = thread;
        thread.start();
    }

    /** The checker's body; nothing thrown ends it but its own decision. */
    private void check() {
        long period = Math.max(MIN_PERIOD_NANOS, thresholdNanos / 4);
        for (;;) {
            LockSupport.parkNanos(this, period);
            synchronized (this) {
                loops.removeIf(EventLoop::isClosed);
                if (closed || loops.isEmpty()) {
                    checker = null;
                    return;
                }
            }
            long now = System.nanoTime();
            for (EventLoop loop : loops) {
                try {
                    loop.checkStall(now, thresholdNanos);
                } catch (Throwable failure) {
                    // Taking a stack or naming a dispatch failed (out of memory): the
                    // report is guarded, and the checker goes on with the next look.
                    loop.report("the stall checker failed to look at the context", failure);
                }
            }
        }
    }

    /**
     * Stops the stall checker and the adopted executors' shared thread,
     * waiting until each has ended (the shared thread at most its close
     * grace), and starts no other. Idempotent; any thread but the checker's;
     * uninterruptible (the interrupt status is kept). The contexts are not
     * closed: their owners close them (an adopted executor's timers and
     * watches end with the shared thread, and it refuses new ones).
     */
    @Override
    public void close() {
        EventLoop shared = hops.close();
        if (shared != null) {
            shared.shutdown();
        }
        Thread thread;
        synchronized (this) {
            closed = true;
            thread = checker;
        }
        if (thread == null) {
            return;
        }
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
