package task.impl.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import task.api.TaskInfo;
import task.api.TaskInspector;

/**
 * Every task in flight in one runtime, by id: from creation until it
 * finishes. Shared by all the runtime's task services (one per client
 * bundle in OSGi); it hands out the ids. Threading: any thread.
 */
public class TaskTable implements TaskInspector {
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentMap<Long, TaskImpl<?, ?>> inFlight = new ConcurrentHashMap<>();

    long nextId() {
        return ids.incrementAndGet();
    }

    void add(TaskImpl<?, ?> task) {
        inFlight.put(task.id, task);
    }

    void remove(TaskImpl<?, ?> task) {
        inFlight.remove(task.id, task);
    }

    /** The tasks of one owner, for disposal when it goes away. */
    List<TaskImpl<?, ?>> ownedBy(TaskFactory owner) {
        List<TaskImpl<?, ?>> owned = new ArrayList<>();
        for (TaskImpl<?, ?> task : inFlight.values()) {
            if (task.owner == owner) {
                owned.add(task);
            }
        }
        return owned;
    }

    @Override
    public List<TaskInfo> inFlight() {
        List<TaskInfo> snapshot = new ArrayList<>();
        for (TaskImpl<?, ?> task : inFlight.values()) {
            snapshot.add(task.info());
        }
        snapshot.sort(Comparator.comparingLong(TaskInfo::id));
        return List.copyOf(snapshot);
    }

    @Override
    public Optional<TaskInfo> find(long id) {
        TaskImpl<?, ?> task = inFlight.get(id);
        return task == null ? Optional.empty() : Optional.of(task.info());
    }

    @Override
    public boolean cancel(long id) {
        TaskImpl<?, ?> task = inFlight.get(id);
        return task != null && task.cancel(true, "cancelled through the task inspector");
    }
}
