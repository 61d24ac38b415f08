package task.impl.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
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
 * The tasks sit in an array of slots, guarded by {@code lock}: each task
 * keeps its own slot number, and freed slots are reused last-in first-out,
 * so adding and removing, once per task on the hot path, allocate nothing,
 * hash nothing, and cost the task object four bytes. Listing, finding by id
 * and disposing an owner's tasks scan the slots in use; they are rare. The
 * array keeps the size of the largest number of tasks in flight at once.
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
    private final Object lock = new Object();
    /** Slot i holds a task in flight, or null if free; guarded by lock. */
    private TaskImpl<?, ?>[] slots = new TaskImpl<?, ?>[64];
    /** The free slots below {@code used}, as a stack; as long as {@code slots}; guarded by lock. */
    private int[] free = new int[64];
    private int freeCount;
    /** Slots at or above this were never used; guarded by lock. */
    private int used;

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
        this.contexts = Objects.requireNonNull(contexts, "contexts");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.contextStats = Objects.requireNonNull(contextStats, "contextStats");
        this.runnerStats = Objects.requireNonNull(runnerStats, "runnerStats");
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

    /** Called once per task, at creation. */
    void add(TaskImpl<?, ?> task) {
        synchronized (lock) {
            int slot;
            if (freeCount > 0) {
                slot = free[--freeCount];
            } else {
                if (used == slots.length) {
                    slots = Arrays.copyOf(slots, used * 2);
                    free = Arrays.copyOf(free, used * 2);
                }
                slot = used++;
            }
            slots[slot] = task;
            task.tableSlot = slot;
        }
    }

    /** Called once per task, when its cleanups have run. */
    void remove(TaskImpl<?, ?> task) {
        synchronized (lock) {
            int slot = task.tableSlot;
            slots[slot] = null;
            free[freeCount++] = slot;
        }
    }

    /** The tasks of one owner, finishing ones included, for disposal when it goes away. */
    List<TaskImpl<?, ?>> ownedBy(TaskFactory owner) {
        List<TaskImpl<?, ?>> owned = new ArrayList<>();
        synchronized (lock) {
            for (int i = 0; i < used; i++) {
                TaskImpl<?, ?> task = slots[i];
                if (task != null && task.owner == owner) {
                    owned.add(task);
                }
            }
        }
        return owned;
    }

    @Override
    public List<TaskInfo> inFlight() {
        List<TaskImpl<?, ?>> tasks = new ArrayList<>();
        synchronized (lock) {
            for (int i = 0; i < used; i++) {
                TaskImpl<?, ?> task = slots[i];
                if (task != null && !task.finishing()) {
                    tasks.add(task);
                }
            }
        }
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
        synchronized (lock) {
            for (int i = 0; i < used; i++) {
                TaskImpl<?, ?> task = slots[i];
                if (task != null && task.id == id && !task.finishing()) {
                    return task;
                }
            }
        }
        return null;
    }
}
