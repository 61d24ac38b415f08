package task.impl.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import task.api.metrics.TaskCounts;

/**
 * The task counters of one runtime, per owner and per operation, kept since
 * the runtime started (an owner that goes away keeps its counts; one that
 * comes back under the same name adds to them).
 *
 * <p>Switch: when {@link #enabled()} is false (TaskRuntime.Builder
 * {@code metrics(false)}, or the OSGi property {@code metrics=false}) the
 * tasks record nothing and take no timestamps; the counts stay as they were.
 *
 * <p>Threading: any thread. Counters are {@link LongAdder}s, so a snapshot
 * ({@link Counts#snapshot}) is not atomic across counters: a task finishing
 * while it is read may show in {@code started} and not yet in its outcome,
 * never the other way round for one counter set read in the order below
 * (outcomes first, then started).
 */
public final class TaskMetrics {
    /**
     * One worker run in this many, on average, is timed. Counting is
     * exact for every task; timing every run cost the throughput benchmark
     * some 20% (three {@code nanoTime()} reads and two increments of shared
     * histogram buckets, which the pool's threads contend for, per round
     * trip), timing one in 16 keeps the distribution and not that cost.
     * Chosen at random, not by task id, so that a program whose tasks come
     * in a fixed pattern (a worker for every fourth) is sampled fairly.
     */
    public static final int TIMED_ONE_IN = 16;
    private final boolean enabled;
    private final ConcurrentHashMap<String, Counts> owners = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counts> operations = new ConcurrentHashMap<>();
    /** Told of new counters; written once before the runtime creates tasks (its start publishes it). */
    private volatile java.util.function.BiConsumer<String, Counts> listener;

    /** @param enabled whether tasks record anything */
    public TaskMetrics(boolean enabled) {
        this.enabled = enabled;
    }

    /**
     * Whether the worker run being queued now is timed ({@link #TIMED_ONE_IN}).
     *
     * @return true one time in {@value #TIMED_ONE_IN}, at random; any thread
     */
    public static boolean sampled() {
        return java.util.concurrent.ThreadLocalRandom.current().nextInt(TIMED_ONE_IN) == 0;
    }

    /** @return whether tasks record their counts and times */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Has {@code listener} told of each counter set made from now on
     * ("Owner" or "Operation", and the counters), in the thread that first
     * asks for that name, once per name, outside the map's lock.
     *
     * @param listener not null
     */
    public void onNewCounts(java.util.function.BiConsumer<String, Counts> listener) {
        this.listener = listener;
    }

    /**
     * @param name an owner's name; not null
     * @return its counters, made on first use; the same object for the same name
     */
    public Counts owner(String name) {
        return counts(owners, "Owner", name);
    }

    /**
     * @param name an operation's name; not null
     * @return its counters, made on first use; the same object for the same name
     */
    public Counts operation(String name) {
        return counts(operations, "Operation", name);
    }

    private Counts counts(ConcurrentHashMap<String, Counts> map, String type, String name) {
        Counts known = map.get(name);
        if (known != null) {
            return known;
        }
        Counts made = new Counts(name);
        known = map.putIfAbsent(name, made);
        if (known != null) {
            return known;
        }
        java.util.function.BiConsumer<String, Counts> l = listener;
        if (l != null) {
            l.accept(type, made);
        }
        return made;
    }

    /** @return a snapshot per owner, sorted by name */
    public List<TaskCounts> ownerCounts() {
        return snapshots(owners);
    }

    /** @return a snapshot per operation, sorted by name */
    public List<TaskCounts> operationCounts() {
        return snapshots(operations);
    }

    private static List<TaskCounts> snapshots(ConcurrentHashMap<String, Counts> map) {
        List<TaskCounts> out = new ArrayList<>();
        for (Counts counts : map.values()) {
            out.add(counts.snapshot());
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    /** How a task ended, for {@link Counts#ended}. */
    public enum Outcome {
        /** the callback saw success */
        SUCCEEDED,
        /** the callback saw an error other than cancellation */
        FAILED,
        /** the callback saw a cancellation */
        CANCELLED,
        /** no callback ran */
        DISPOSED
    }

    /** The counters and time distributions of one owner or operation; any thread. */
    public static final class Counts {
        private final String name;
        private final LongAdder started = new LongAdder();
        private final LongAdder succeeded = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private final LongAdder cancelled = new LongAdder();
        private final LongAdder disposed = new LongAdder();
        private final Histogram queueTime = new Histogram();
        private final Histogram runTime = new Histogram();

        Counts(String name) {
            this.name = name;
        }

        /** @return the owner's or operation's name */
        public String name() {
            return name;
        }

        /** Counts a task created. */
        public void started() {
            started.increment();
        }

        /** @param outcome how a task ended, counted once per task; not null */
        public void ended(Outcome outcome) {
            switch (outcome) {
                case SUCCEEDED -> succeeded.increment();
                case FAILED -> failed.increment();
                case CANCELLED -> cancelled.increment();
                default -> disposed.increment();
            }
        }

        /**
         * Records one worker run.
         *
         * @param queuedNanos from runInThread to the worker's start
         * @param runNanos from the worker's start to its return
         */
        public void workerRan(long queuedNanos, long runNanos) {
            queueTime.record(queuedNanos);
            runTime.record(runNanos);
        }

        /** @return the counts now; outcomes read before started, so inFlight() is never negative */
        public TaskCounts snapshot() {
            long s = succeeded.sum();
            long f = failed.sum();
            long c = cancelled.sum();
            long d = disposed.sum();
            return new TaskCounts(name, started.sum(), s, f, c, d, queueTime.snapshot(), runTime.snapshot());
        }
    }
}
