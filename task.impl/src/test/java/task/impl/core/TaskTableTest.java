package task.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.Task;
import task.api.TaskInfo;
import task.impl.TaskRuntime;
import task.impl.TestSupport;
import task.impl.log.ReportLevel;
import task.impl.loop.EventLoop;

/**
 * The task table's stripes and slots: growth past the first array, reuse of
 * freed slots, tasks made by many threads at once and finished by others,
 * listings that match.
 */
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
        for (int i = 0; i < 300; i++) { // one thread, one stripe: past its first segment of 64 slots, twice
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

    @Test
    void tasksMadeByManyThreadsAtOnceAndFinishedByOthersAreListedExactlyUntilTheyFinish() throws Exception {
        runtime = TestSupport.runtime(false, 2);
        int threads = 8;
        int each = 2_000;
        List<List<Task<String, Void>>> made = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService creators = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Task<String, Void>>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(creators.submit(() -> {
                    start.await();
                    List<Task<String, Void>> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        mine.add(runtime.tasks().create("t" + thread + "-" + i, task -> { }, null));
                    }
                    return mine;
                }));
            }
            start.countDown();
            for (Future<List<Task<String, Void>>> future : futures) {
                made.add(future.get());
            }
            assertEquals(ids(made.stream().flatMap(List::stream).toList()), listedIds());
            // Each creator's even tasks finished by the next creator's thread: removals cross stripes.
            List<Future<?>> finishing = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<Task<String, Void>> theirs = made.get((t + 1) % threads);
                finishing.add(creators.submit(() -> {
                    for (int i = 0; i < theirs.size(); i += 2) {
                        theirs.get(i).complete();
                    }
                }));
            }
            for (Future<?> future : finishing) {
                future.get();
            }
        } finally {
            creators.shutdown();
            assertTrue(creators.awaitTermination(10, TimeUnit.SECONDS));
        }
        List<Task<String, Void>> odd = new ArrayList<>();
        for (List<Task<String, Void>> mine : made) {
            for (int i = 1; i < mine.size(); i += 2) {
                odd.add(mine.get(i));
            }
        }
        assertEquals(ids(odd), listedIds());
        Task<String, Void> probe = odd.get(odd.size() - 1);
        assertEquals(probe.source(), runtime.inspector().find(probe.id()).orElseThrow().source());
        for (Task<String, Void> task : odd) {
            task.dispose();
        }
        assertEquals(List.of(), runtime.inspector().inFlight());
    }

    @Test
    void aStripeKeepsAboutTwiceItsMostTasksInFlightHoweverManyComeAndGo() {
        TaskTable table = new TaskTable();
        int initial = table.slots();
        TaskLincheckTest.CollectingReporter reporter = new TaskLincheckTest.CollectingReporter();
        TaskFactory owner = new TaskFactory("owner", new TaskLincheckTest.RecordingRunner(),
                EventLoop.driven("table-test", reporter), table, reporter, ReportLevel.DEBUG);
        List<Task<String, Void>> inFlight = new ArrayList<>();
        for (int round = 0; round < 50; round++) { // 50,000 tasks on one thread, so in one stripe, 1,000 at a time
            for (int i = 0; i < 1_000; i++) {
                inFlight.add(owner.create("round-" + round, t -> { }, null));
            }
            for (Task<String, Void> task : inFlight) {
                task.complete();
            }
            inFlight.clear();
        }
        int slots = table.slots();
        assertTrue(slots >= 1_000 && slots <= initial + 4 * 1_000, "slots for 1,000 tasks in flight: " + slots
                + " (the empty table had " + initial + ")");
    }

    @Test
    void theStripesAreAPowerOfTwoAtOrAboveTwiceTheProcessorsAndAtMostSixtyFour() {
        assertEquals(List.of(2, 4, 8, 8, 32, 64, 64, 64),
                List.of(1, 2, 3, 4, 16, 32, 64, 1000).stream().map(TaskTable::stripes).toList());
    }

    private Set<Long> listedIds() {
        return runtime.inspector().inFlight().stream().map(TaskInfo::id).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<Long> ids(List<Task<String, Void>> tasks) {
        return tasks.stream().map(Task::id).collect(Collectors.toCollection(TreeSet::new));
    }
}
