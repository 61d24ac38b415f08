package task.impl.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import task.api.EventContext;
import task.api.Task;
import task.impl.TaskRuntime;
import task.impl.TestSupport;
import task.testing.LogCapture;

/**
 * The runtime's JFR events, read back from real recordings: off in JFR's
 * own settings, and with each field when a recording turns them on.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS) // hang guard only
class TaskEventsTest {
    @TempDir
    Path dir;

    private static final List<String> OURS = List.of("task.WorkerRun", "task.Completion", "task.ContextStall");

    /** A worker's task whose callback completes it, and a failing one; waits until both have finished. */
    private static void runTwoTasks(TaskRuntime runtime) {
        Task<String, String> ok = runtime.tasks().builder("src", (Task<String, String> t) -> { })
                .name("probe").sourceTag("resolve").create();
        ok.runInThread(t -> t.setResult("value"));
        ok.waitThread();
        Task<String, String> failing = runtime.tasks().create("src", t -> t.propagateError(), null);
        failing.runInThread(t -> {
            throw new IllegalStateException("expected by the test");
        });
        failing.waitThread();
    }

    private List<RecordedEvent> record(Recording recording, Runnable work) throws Exception {
        Path file = dir.resolve("r.jfr");
        recording.start();
        work.run();
        recording.stop();
        recording.dump(file);
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> OURS.contains(e.getEventType().getName())).collect(Collectors.toList());
    }

    @Test
    void jfrsDefaultAndProfileSettingsRecordNone() throws Exception {
        assertTrue(TaskEvents.AVAILABLE);
        for (String settings : new String[] { "default", "profile" }) {
            try (TaskRuntime runtime = TaskRuntime.start();
                    Recording recording = new Recording(Configuration.getConfiguration(settings))) {
                assertEquals(List.of(), record(recording, () -> runTwoTasks(runtime)), settings);
            }
        }
    }

    @Test
    void aRecordingThatEnablesThemGetsEachRunAndCompletion() throws Exception {
        try (TaskRuntime runtime = TaskRuntime.start(); Recording recording = new Recording()) {
            recording.enable("task.WorkerRun");
            recording.enable("task.Completion");
            List<RecordedEvent> events = record(recording, () -> runTwoTasks(runtime));
            List<String> seen = events.stream()
                    .map(e -> e.getEventType().getName() + " " + e.getString("taskName") + " "
                            + e.getString("operation") + " " + e.getString("outcome"))
                    .collect(Collectors.toList());
            assertTrue(seen.contains("task.WorkerRun probe resolve returned"), seen.toString());
            assertTrue(seen.contains("task.Completion probe resolve succeeded"), seen.toString());
            assertTrue(seen.stream().anyMatch(s -> s.matches("task.WorkerRun task-\\d+ null failed")), seen.toString());
            assertTrue(seen.stream().anyMatch(s -> s.matches("task.Completion task-\\d+ null failed")), seen.toString());
            RecordedEvent run = events.stream().filter(e -> "probe".equals(e.getString("taskName"))
                    && e.getEventType().getName().equals("task.WorkerRun")).findFirst().orElseThrow();
            assertEquals("plain-java", run.getString("owner"));
            assertTrue(!run.getDuration("queueTime").isNegative(), "the queue time is known: " + run);
        }
    }

    @Test
    void aStallIsRecorded() throws Exception {
        CountDownLatch reported = new CountDownLatch(1);
        try (LogCapture log = new LogCapture(r -> {
                    if (String.valueOf(r.getMessage()).contains("blocks the context")) {
                        reported.countDown();
                    }
                }, "task.runtime");
                TaskRuntime runtime = TaskRuntime.builder().stallThreshold(Duration.ofMillis(20)).start();
                Recording recording = new Recording()) {
            recording.enable("task.ContextStall");
            EventContext ui = runtime.contexts().start("ui");
            List<RecordedEvent> events = record(recording, () -> {
                CountDownLatch ran = new CountDownLatch(1);
                ui.post(() -> {
                    TestSupport.await(reported); // blocks the context until the checker has reported it
                    ran.countDown();
                });
                TestSupport.await(ran);
            });
            assertEquals(1, events.size(), events.toString());
            assertEquals("ui", events.get(0).getString("context"));
            assertTrue(events.get(0).getString("running").startsWith("an event ("), events.get(0).toString());
        }
        assertTrue(Files.exists(dir.resolve("r.jfr")));
    }
}
