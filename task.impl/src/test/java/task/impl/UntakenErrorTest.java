package task.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.Task;
import task.impl.log.ReportLevel;
import task.testing.LogCapture;

/** An error no callback took is reported as a warning by default; a cancellation nobody read is not. */
@Timeout(value = 30, unit = TimeUnit.SECONDS) // hang guard only
class UntakenErrorTest {

    private static Task<String, Void> failingTask(TaskRuntime runtime, String name, IllegalStateException failure) {
        Task<String, Void> task = runtime.tasks().<String, Void>builder("source", done -> {
            // forgets done.propagateError()
        }).name(name).create();
        task.runInThread(running -> {
            throw failure;
        });
        return task;
    }

    @Test
    void aFailureNoCallbackTookIsOneWarningNamingTheTask() {
        IllegalStateException failure = new IllegalStateException("worker failure (expected by the test)");
        try (LogCapture log = new LogCapture("task.runtime"); TaskRuntime runtime = TaskRuntime.start()) {
            Task<String, Void> task = failingTask(runtime, "forgetful", failure);
            task.waitThread();
            List<LogRecord> records = log.records();
            assertEquals(1, records.size(), "" + log.others());
            assertTrue(records.get(0).getMessage().startsWith("task 'forgetful' (#" + task.id()
                    + "): finished with an error no callback took"), records.get(0).getMessage());
            assertSame(failure, records.get(0).getThrown());
        }
    }

    @Test
    void aCancellationNobodyReadIsNoWarning() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        try (LogCapture log = new LogCapture("task.runtime"); TaskRuntime runtime = TaskRuntime.start()) {
            Task<String, Void> task = runtime.tasks().<String, Void>builder("source", done -> {
                // reads nothing
            }).name("cancelled-unread").create();
            task.runInThread(t -> {
                running.countDown();
                new CountDownLatch(1).await(); // until the cancel interrupts it
            });
            TestSupport.await(running);
            assertTrue(task.cancel(true, "by the test"));
            task.waitThread();
            Task<String, Void> disposed = runtime.tasks().<String, Void>builder("source", done -> { })
                    .name("disposed").create();
            CountDownLatch disposedRunning = new CountDownLatch(1);
            CountDownLatch finished = new CountDownLatch(1);
            disposed.onCancel(finished::countDown);
            disposed.runInThread(t -> {
                disposedRunning.countDown();
                new CountDownLatch(1).await();
            });
            TestSupport.await(disposedRunning);
            assertTrue(disposed.dispose());
            TestSupport.await(finished);
            runtime.close(); // waits for the disposed task's worker and cleanups
            assertEquals(List.of(), log.others(), "no warning");
        }
    }

    @Test
    void theLevelOffReportsNone() {
        try (LogCapture log = new LogCapture("task.runtime");
                TaskRuntime runtime = TaskRuntime.builder().untakenErrors(ReportLevel.OFF).start()) {
            failingTask(runtime, "off", new IllegalStateException("worker failure (expected by the test)"))
                    .waitThread();
            assertEquals(List.of(), log.others(), "no report");
        }
    }
}
