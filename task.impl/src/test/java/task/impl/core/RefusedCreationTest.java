package task.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.Task;
import task.api.TaskGroup;
import task.api.metrics.TaskCounts;
import task.impl.TaskRuntime;
import task.impl.TestSupport;
import task.impl.log.ReportLevel;
import task.impl.loop.EventLoop;

/**
 * A task refused at creation (its owner released, its group closed, its
 * table stripe full): the call takes the cleanup over, as upstream's
 * {@code qio_task_new} takes {@code destroy}, so the cleanup has run once
 * when the refusal is thrown; an argument error leaves it unrun.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // hang guard only
class RefusedCreationTest {
    private final AtomicInteger cleanups = new AtomicInteger();
    private TaskRuntime runtime;

    @AfterEach
    void closeRuntime() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void aReleasedServiceRunsTheCleanupOnceBeforeItRefuses() {
        runtime = TestSupport.runtime(false, 2);
        runtime.close();

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> runtime.tasks().create("late", t -> { }, cleanups::incrementAndGet));

        assertTrue(refused.getMessage().contains("has been released"), refused.getMessage());
        assertEquals(1, cleanups.get());
    }

    @Test
    void aBuilderWithADeadlineOnAReleasedServiceRunsTheCleanupOnceBeforeItRefuses() {
        runtime = TestSupport.runtime(false, 2);
        runtime.close();

        assertThrows(IllegalStateException.class, () -> runtime.tasks().builder("late", t -> { })
                .cleanup(cleanups::incrementAndGet).deadline(Duration.ofHours(1)).create());

        assertEquals(1, cleanups.get());
    }

    @Test
    void aClosedGroupRunsTheCleanupOnceBeforeItRefuses() {
        runtime = TestSupport.runtime(false, 2);
        TaskGroup group = runtime.tasks().group("closed");
        group.close();

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> group.tasks().create("late", t -> { }, cleanups::incrementAndGet));

        assertTrue(refused.getMessage().contains("task group 'closed' is closed"), refused.getMessage());
        assertEquals(1, cleanups.get());
    }

    @Test
    void aMissingArgumentLeavesTheCleanupUnrun() {
        runtime = TestSupport.runtime(false, 2);
        TaskGroup group = runtime.tasks().group("open");

        assertThrows(NullPointerException.class, () -> runtime.tasks().create(null, t -> { }, cleanups::incrementAndGet));
        assertThrows(NullPointerException.class, () -> group.tasks().create(null, t -> { }, cleanups::incrementAndGet));
        assertThrows(NullPointerException.class, () -> runtime.tasks().create("s", null, cleanups::incrementAndGet));

        assertEquals(0, cleanups.get());
    }

    @Test
    void aFullStripeRefusesTheTaskRunsItsCleanupOnceAndCountsItEnded() {
        TaskTable table = new TaskTable(TableStripe.SEGMENT); // one segment per stripe, never grown
        TaskLincheckTest.CollectingReporter reporter = new TaskLincheckTest.CollectingReporter();
        TaskFactory owner = new TaskFactory("owner", new TaskLincheckTest.RecordingRunner(),
                EventLoop.driven("refusal-test", reporter), table, reporter, ReportLevel.DEBUG);
        List<Task<String, Void>> inFlight = new ArrayList<>();
        for (int i = 0; i < TableStripe.SEGMENT; i++) { // one thread, so one stripe: every slot taken
            inFlight.add(owner.create("task-" + i, t -> { }, null));
        }

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> owner.create("one-too-many", t -> { }, () -> {
                    cleanups.incrementAndGet();
                    throw new IllegalArgumentException("the cleanup's own failure");
                }));

        assertTrue(refused.getMessage().startsWith("task service of 'owner': task '")
                && refused.getMessage().contains("more than 64 tasks in flight in one stripe"), refused.getMessage());
        assertEquals(1, cleanups.get());
        assertEquals(1, reporter.warnings.size(), reporter.warnings.toString());
        assertTrue(reporter.warnings.peek().contains("the task was refused")
                && reporter.warnings.peek().contains("the cleanup's own failure"), reporter.warnings.toString());
        TaskCounts counts = table.metrics().owner("owner").snapshot();
        assertEquals(TableStripe.SEGMENT, counts.inFlight(), counts.toString());

        for (Task<String, Void> task : inFlight) {
            task.complete(); // frees its slot
        }
        owner.create("after", t -> { }, cleanups::incrementAndGet).complete();
        assertEquals(2, cleanups.get());
    }
}
