package task.impl.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import task.api.TaskInfo;
import task.api.TaskInspector;

/**
 * Every task of one runtime from its creation until its cleanups have run.
 * Listings show the tasks in flight, that is, not yet finishing; disposal
 * of an owner's tasks also sees (and waits for) the ones still running their
 * cleanups. Shared by all the runtime's task services (one per client bundle
 * in OSGi); it hands out the ids.
 * <p>
 * The tasks form a doubly-linked list through their own
 * {@code tablePrevious}/{@code tableNext} fields, guarded by {@code lock}:
 * adding and removing, once per task on the hot path, allocate nothing and
 * hash nothing. Listing, finding by id and disposing an owner's tasks walk
 * the list; they are rare, and as long as the tasks in flight are few.
 * Threading: any thread.
 */
public class TaskTable implements TaskInspector {
    private final AtomicLong ids = new AtomicLong();
    private final Object lock = new Object();
    /** The most recently added task in flight; guarded by lock. */
    private TaskImpl<?, ?> newest;

    long nextId() {
        return ids.incrementAndGet();
    }

    /** Called once per task, at creation. */
    void add(TaskImpl<?, ?> task) {
        synchronized (lock) {
            task.tableNext = newest;
            if (newest != null) {
                newest.tablePrevious = task;
            }
            newest = task;
        }
    }

    /** Called once per task, when its cleanups have run. */
    void remove(TaskImpl<?, ?> task) {
        synchronized (lock) {
            TaskImpl<?, ?> previous = task.tablePrevious;
            TaskImpl<?, ?> next = task.tableNext;
            if (previous != null) {
                previous.tableNext = next;
            } else {
                newest = next;
            }
            if (next != null) {
                next.tablePrevious = previous;
            }
            task.tablePrevious = null;
            task.tableNext = null;
        }
    }

    /** The tasks of one owner, finishing ones included, for disposal when it goes away. */
    List<TaskImpl<?, ?>> ownedBy(TaskFactory owner) {
        List<TaskImpl<?, ?>> owned = new ArrayList<>();
        synchronized (lock) {
            for (TaskImpl<?, ?> task = newest; task != null; task = task.tableNext) {
                if (task.owner == owner) {
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
            for (TaskImpl<?, ?> task = newest; task != null; task = task.tableNext) {
                if (!task.finishing()) {
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

    private TaskImpl<?, ?> lookup(long id) {
        synchronized (lock) {
            for (TaskImpl<?, ?> task = newest; task != null; task = task.tableNext) {
                if (task.id == id && !task.finishing()) {
                    return task;
                }
            }
        }
        return null;
    }
}
