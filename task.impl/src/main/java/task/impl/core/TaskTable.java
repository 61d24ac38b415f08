package task.impl.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

import task.api.ContextInfo;
import task.api.TaskInfo;
import task.api.TaskInspector;
import task.api.metrics.ContextStats;
import task.api.metrics.RunnerStats;
import task.api.metrics.TaskStats;
import task.impl.log.Reporter;
import task.impl.metrics.TaskMetrics;

/**
 * Every task of one runtime from its creation until its cleanups have run.
 * Listings show the tasks in flight, that is, not yet finishing; disposal
 * of an owner's tasks also sees (and waits for) the ones still running their
 * cleanups. Shared by all the runtime's task services (one per client bundle
 * in OSGi); it hands out the ids.
 * <p>
 * The tasks sit in stripes ({@link TableStripe}), each of slots taken by
 * one CAS and freed by one ordered store, with no lock, so that threads
 * creating tasks at once do not wait for one another: a task goes to the
 * stripe of the thread that creates it (a hash of the thread's id), and
 * keeps its stripe and slot in four bytes ({@code tableSlot}: the slot above
 * {@link #STRIPE_BITS} bits of stripe). Its removal, once its cleanups have
 * run, empties that slot only; threads sharing a stripe share at most the
 * cache lines of its slots and its search cursor. Adding and removing, once
 * per task on the hot path, allocate nothing and hash nothing but the
 * thread's id. There are {@link #stripes(int)} stripes, a power of two.
 * Listing, finding by id and disposing an owner's tasks scan every slot of
 * every stripe; they are rare, and a listing is a scan, not a snapshot of
 * the table at one instant: a task created or finished while it runs may
 * or may not be in it (as before, it lists tasks that may finish as it is
 * read).
 * The table is the runtime's inspector: it lists the contexts too, through
 * the supplier it is given, since the runtime's contexts live in its loop
 * directory, not here. Threading: any thread.
 */
public class TaskTable implements TaskInspector {
    private final Supplier<List<ContextInfo>> contexts;
    private final TaskMetrics metrics;
    private final Supplier<List<ContextStats>> contextStats;
    private final Supplier<RunnerStats> runnerStats;
    private final AtomicLong ids = new AtomicLong();
    /** Creation times count from here, in tenths of a second. */
    private final long epochMillis = System.currentTimeMillis();
    /** Low bits of a task's {@code tableSlot} that name its stripe: at most 64 stripes. */
    static final int STRIPE_BITS = 6;
    /** Slots one stripe may have: as many as the bits above {@link #STRIPE_BITS} can number. */
    static final int MAX_SLOTS = 1 << (Integer.SIZE - STRIPE_BITS);
    private final TableStripe[] stripes;

    /** Creates a table that lists no contexts (for tests of the tasks alone). */
    public TaskTable() {
        this(List::of);
    }

    /**
     * Creates a table with metrics on, no context and no runner statistics.
     *
     * @param contexts lists the runtime's open contexts, sorted by name; any thread; not null
     */
    public TaskTable(Supplier<List<ContextInfo>> contexts) {
        this(contexts, new TaskMetrics(true), List::of, () -> new RunnerStats(false, 0, 0, 0));
    }

    /**
     * Creates a table.
     *
     * @param contexts lists the runtime's open contexts, sorted by name; any thread; not null
     * @param metrics the task counters, for {@link #stats()} and the tasks; not null
     * @param contextStats the open contexts' statistics, sorted by name; any thread; not null
     * @param runnerStats the runner's statistics; any thread; not null
     */
    public TaskTable(Supplier<List<ContextInfo>> contexts, TaskMetrics metrics,
            Supplier<List<ContextStats>> contextStats, Supplier<RunnerStats> runnerStats) {
        this(contexts, metrics, contextStats, runnerStats, MAX_SLOTS);
    }

    /**
     * Creates a table whose stripes refuse to grow past {@code maxSlots}: for
     * the test of a full stripe, which {@link #MAX_SLOTS} puts out of a
     * test's reach.
     *
     * @param maxSlots a power of two from {@link TableStripe#SEGMENT} to {@link #MAX_SLOTS}
     */
    TaskTable(int maxSlots) {
        this(List::of, new TaskMetrics(true), List::of, () -> new RunnerStats(false, 0, 0, 0), maxSlots);
    }

    private TaskTable(Supplier<List<ContextInfo>> contexts, TaskMetrics metrics,
            Supplier<List<ContextStats>> contextStats, Supplier<RunnerStats> runnerStats, int maxSlots) {
        this.contexts = Objects.requireNonNull(contexts, "contexts");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.contextStats = Objects.requireNonNull(contextStats, "contextStats");
        this.runnerStats = Objects.requireNonNull(runnerStats, "runnerStats");
        this.stripes = new TableStripe[stripes(Runtime.getRuntime().availableProcessors())];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new TableStripe(maxSlots);
        }
    }

    /**
     * How many stripes a table has on a machine with {@code processors}
     * processors: the power of two at or above twice as many (so that two
     * threads on different processors seldom share one), at most
     * {@code 2^STRIPE_BITS}.
     *
     * @param processors one or more
     * @return a power of two from 2 to 64
     */
    static int stripes(int processors) {
        int wanted = Math.max(2, 2 * processors);
        return Math.min(1 << STRIPE_BITS, Integer.highestOneBit(wanted - 1) << 1);
    }

    /** @return the runtime's task counters */
    public TaskMetrics metrics() {
        return metrics;
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    /**
     * The time now, as a task stores its creation time: tenths of a second
     * since the table was made, an unsigned int (13 years), four bytes per
     * task instead of eight; the listings show ages to a tenth of a second.
     */
    int createdTenths() {
        return (int) ((System.currentTimeMillis() - epochMillis) / 100);
    }

    /** @return the instant a task's {@link #createdTenths()} stands for */
    Instant createdAt(int tenths) {
        return Instant.ofEpochMilli(epochMillis + Integer.toUnsignedLong(tenths) * 100);
    }

    /**
     * Called once per task, at creation, in the creating thread. The stripe
     * writes the task's {@code tableSlot} before the task can be seen in
     * it, so a disposer that finds the task there also finds its slot.
     */
    void add(TaskImpl<?, ?> task) {
        int stripe = stripeOf(Thread.currentThread());
        stripes[stripe].add(task, stripe);
    }

    /** @return the {@code tableSlot} of a task in {@code slot} of {@code stripe} */
    static int tableSlot(int slot, int stripe) {
        return slot << STRIPE_BITS | stripe;
    }

    /** Called once per task, when its cleanups have run; any thread. */
    void remove(TaskImpl<?, ?> task) {
        int code = task.tableSlot;
        stripes[code & ((1 << STRIPE_BITS) - 1)].remove(code >>> STRIPE_BITS);
    }

    /** The stripe of tasks created by {@code thread}: its id's bits mixed (Fibonacci hashing), then masked. */
    private int stripeOf(Thread thread) {
        @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; getId() is the same number
        long id = thread.getId();
        return (int) ((id * 0x9E3779B97F4A7C15L) >>> 32) & (stripes.length - 1);
    }

    /** @return how many slots the stripes have in all, free or not (for tests of their growth) */
    int slots() {
        int slots = 0;
        for (TableStripe stripe : stripes) {
            slots += stripe.capacity();
        }
        return slots;
    }

    /** The tasks {@code matching} accepts, stripe by stripe. */
    private List<TaskImpl<?, ?>> collect(Predicate<TaskImpl<?, ?>> matching) {
        List<TaskImpl<?, ?>> found = new ArrayList<>();
        for (TableStripe stripe : stripes) {
            stripe.collect(matching, found);
        }
        return found;
    }

    /** The tasks of one owner, finishing ones included, for disposal when it goes away. */
    List<TaskImpl<?, ?>> ownedBy(TaskFactory owner) {
        return collect(task -> task.owner == owner);
    }

    @Override
    public List<TaskInfo> inFlight() {
        List<TaskImpl<?, ?>> tasks = collect(task -> !task.finishing());
        // Described outside the lock: describing calls the sources' toString().
        List<TaskInfo> snapshot = new ArrayList<>(tasks.size());
        for (TaskImpl<?, ?> task : tasks) {
            snapshot.add(task.info());
        }
        snapshot.sort(Comparator.comparingLong(TaskInfo::id));
        return List.copyOf(snapshot);
    }

    @Override
    public Optional<TaskInfo> find(long id) {
        TaskImpl<?, ?> task = lookup(id);
        return task == null ? Optional.empty() : Optional.of(task.info());
    }

    @Override
    public boolean cancel(long id) {
        TaskImpl<?, ?> task = lookup(id);
        return task != null && task.cancel(true, "cancelled through the task inspector");
    }

    @Override
    public List<ContextInfo> contexts() {
        return List.copyOf(contexts.get());
    }

    @Override
    public long lostReports() {
        return Reporter.droppedReports();
    }

    @Override
    public List<StackTraceElement> creationStack(long id) {
        TaskImpl<?, ?> task = lookup(id);
        Throwable site = task == null ? null : task.creationSite();
        return site == null ? List.of() : List.of(site.getStackTrace());
    }

    @Override
    public TaskStats stats() {
        return new TaskStats(metrics.ownerCounts(), metrics.operationCounts(), contextStats.get(), runnerStats.get());
    }

    private TaskImpl<?, ?> lookup(long id) {
        List<TaskImpl<?, ?>> found = collect(task -> task.id == id && !task.finishing());
        return found.isEmpty() ? null : found.get(0);
    }
}
