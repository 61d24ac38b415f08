package task.impl.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Task;
import task.impl.TaskRuntime;
import task.impl.TestSupport;
import task.testing.LogCapture;

/** A dispatch that runs past the stall threshold is reported once, with its name and its thread's stack. */
@Timeout(value = 30, unit = TimeUnit.SECONDS) // hang guard only
class StallCheckerTest {
    private static final long THRESHOLD = TimeUnit.MILLISECONDS.toNanos(100);

    /** Blocks its context until released. */
    private static final class Blocker implements Runnable {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void run() {
            entered.countDown();
            TestSupport.await(release);
        }
    }

    @Test
    void oneLookAtATimeAStallIsReportedOncePerDispatch() {
        RecordingReporter reporter = new RecordingReporter();
        EventLoop loop = EventLoop.started("task-test-stall", reporter, true, Duration.ofSeconds(10));
        Blocker first = new Blocker();
        Blocker second = new Blocker();
        try {
            assertTrue(loop.status().endsWith(", idle"), loop.status());
            loop.post(first);
            TestSupport.await(first.entered);
            assertTrue(loop.status().contains("running an event (" + Blocker.class.getName() + ")"), loop.status());
            long t0 = System.nanoTime();
            loop.checkStall(t0, THRESHOLD); // first sight
            loop.checkStall(t0 + THRESHOLD - 1, THRESHOLD);
            assertEquals(0, reporter.warnings.size(), "not yet past the threshold");
            assertTrue(loop.status().contains("running an event (" + Blocker.class.getName() + ") since "),
                    loop.status());
            // The stack is taken at the next look: wait until the thread is
            // really parked in the latch (it counts 'entered' just before).
            Thread looper = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("task-test-stall")).findFirst().orElseThrow();
            TestSupport.spinUntil(() -> looper.getState() == Thread.State.TIMED_WAITING);
            loop.checkStall(t0 + THRESHOLD, THRESHOLD);
            loop.checkStall(t0 + 2 * THRESHOLD, THRESHOLD);
            loop.checkStall(t0 + 100 * THRESHOLD, THRESHOLD);
            assertEquals(1, reporter.warnings.size(), "once per stall: " + reporter.warnings);
            RecordingReporter.Report report = reporter.warnings.get(0);
            assertTrue(report.message().startsWith("context 'task-test-stall': an event (" + Blocker.class.getName()
                    + ") has been running for 100 ms or more on thread 'task-test-stall'"), report.message());
            assertTrue(RecordingReporter.hasFrame(report.failure(), Blocker.class.getName(), "run"));
            assertTrue(RecordingReporter.hasFrame(report.failure(), CountDownLatch.class.getName(), "await"));
            // A log service keeps recent records: a throwable of one of our
            // classes would keep an updated bundle's class loader reachable.
            assertEquals(null, report.failure().getClass().getClassLoader(), "the stack comes in a JDK class");

            first.release.countDown();
            TestSupport.flush(loop, false);
            // The flush's event has run, but its dispatch may not have ended
            // yet (the thread descheduled in between): two looks at it would
            // be a stall by the test's own clock. Wait for the loop to be idle.
            TestSupport.spinUntil(() -> loop.status().endsWith(", idle"));
            long t1 = System.nanoTime();
            loop.checkStall(t1, THRESHOLD);
            loop.checkStall(t1 + 10 * THRESHOLD, THRESHOLD);
            assertEquals(1, reporter.warnings.size(), "nothing runs: nothing more to report");

            loop.post(second);
            TestSupport.await(second.entered);
            loop.checkStall(t1 + 11 * THRESHOLD, THRESHOLD);
            loop.checkStall(t1 + 12 * THRESHOLD, THRESHOLD);
            assertEquals(2, reporter.warnings.size(), "a new dispatch that stalls is a new stall");
        } finally {
            first.release.countDown();
            second.release.countDown();
            loop.close();
        }
    }

    @Test
    void theCheckerThreadReportsABlockedTaskCallbackOnceAndEndsWithTheRuntime() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        Blocker later = new Blocker();
        Blocker last = new Blocker();
        try (LogCapture log = new LogCapture("task.runtime")) {
            TaskRuntime runtime = TaskRuntime.builder().stallThreshold(Duration.ofMillis(50)).start();
            try {
                EventLoop defaultLoop = (EventLoop) runtime.defaultContext();
                Task<String, Void> task = runtime.tasks().<String, Void>builder("slow", done -> {
                    entered.countDown();
                    TestSupport.await(release);
                }).name("slow-callback").create();
                task.runInThread(running -> { });
                TestSupport.await(entered);
                String blocked = "context 'task-default-context': task 'slow-callback' (#" + task.id()
                        + ") has been running for";
                TestSupport.spinUntil(() -> count(log, blocked) == 1);
                assertTrue(defaultLoop.status().contains("running task 'slow-callback' (#" + task.id() + ") since "),
                        defaultLoop.status());
                assertTrue(RecordingReporter.hasFrame(log.records().get(0).getThrown(),
                        StallCheckerTest.class.getName(), null), "the stack shows the blocking callback");

                // Another context's stall takes the checker two looks or more,
                // each of which also looked at the still blocked default context.
                EventContext other = runtime.contexts().start("task-test-other");
                other.post(later);
                TestSupport.spinUntil(() -> count(log, "context 'task-test-other'") == 1);
                assertEquals(1, count(log, blocked), "reported once while it stays blocked");

                release.countDown();
                later.release.countDown();
                TestSupport.flush(runtime.defaultContext(), false);
                other.post(last);
                TestSupport.spinUntil(() -> count(log, "context 'task-test-other'") == 2);
                assertEquals(1, count(log, blocked), "nothing more once it returned");
                assertTrue(defaultLoop.status().endsWith(", idle"), defaultLoop.status());
            } finally {
                release.countDown();
                later.release.countDown();
                last.release.countDown();
                runtime.close();
            }
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals(LoopDirectory.CHECKER_NAME) && t.isAlive()),
                "the checker ended with the runtime");
    }

    private static long count(LogCapture log, String text) {
        return log.records().stream().filter(r -> String.valueOf(r.getMessage()).contains(text)).count();
    }
}
