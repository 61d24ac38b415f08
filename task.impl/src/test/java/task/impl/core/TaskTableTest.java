package task.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.Task;
import task.api.TaskInfo;
import task.impl.TaskRuntime;
import task.impl.TestSupport;

/** The task table's slots: growth past the first array, reuse of freed slots, listings that match. */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // hang guard only
class TaskTableTest {
    private TaskRuntime runtime;

    @AfterEach
    void closeRuntime() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void listsExactlyTheTasksInFlightAcrossGrowthAndSlotReuse() {
        runtime = TestSupport.runtime(false, 2);
        List<Task<String, Void>> live = new ArrayList<>();
        for (int i = 0; i < 300; i++) { // past the first array of 64 slots, several times
            live.add(runtime.tasks().create("source-" + i, t -> { }, null));
        }
        assertEquals(ids(live), listedIds());

        List<Task<String, Void>> kept = new ArrayList<>();
        for (int i = 0; i < live.size(); i++) {
            if (i % 3 == 0) {
                live.get(i).complete(); // finishes: its slot is freed
            } else {
                kept.add(live.get(i));
            }
        }
        assertEquals(ids(kept), listedIds());

        for (int i = 0; i < 150; i++) { // reuses the 100 freed slots, then grows
            kept.add(runtime.tasks().create("later-" + i, t -> { }, null));
        }
        assertEquals(ids(kept), listedIds());
        Task<String, Void> probe = kept.get(kept.size() - 1);
        assertEquals("later-149", runtime.inspector().find(probe.id()).orElseThrow().source());
        assertTrue(runtime.inspector().cancel(probe.id()));
        TestSupport.spinUntil(() -> runtime.inspector().find(probe.id()).isEmpty());

        for (Task<String, Void> task : kept) {
            task.dispose();
        }
        assertEquals(List.of(), runtime.inspector().inFlight());
        assertFalse(runtime.inspector().find(probe.id()).isPresent());
    }

    private Set<Long> listedIds() {
        return runtime.inspector().inFlight().stream().map(TaskInfo::id).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<Long> ids(List<Task<String, Void>> tasks) {
        return tasks.stream().map(Task::id).collect(Collectors.toCollection(TreeSet::new));
    }
}
