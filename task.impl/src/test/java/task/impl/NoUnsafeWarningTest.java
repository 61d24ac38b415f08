package task.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Task;

/**
 * JDK 24 and later print "WARNING: A terminally deprecated method in
 * sun.misc.Unsafe has been called" (JEP 498) the first time a class calls
 * one of Unsafe's memory-access methods, as JCTools' Unsafe-based queues
 * did: the runtime must reach none. The warning goes once per JVM to
 * {@code System.err}, so the runtime runs in a child JVM of its own, on the
 * test class path, through the paths that touch its queues: posted events
 * (more than a chunk of the event loop's queue at once), timers, tasks on the
 * platform pool and on virtual threads with their completions on the default
 * context and on a context of the factory, plain jobs of the runner; then
 * its stderr is read.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES) // a hang guard; the child takes a second or two
class NoUnsafeWarningTest {
    private static final String DONE = "child: done";

    @Test
    void theRuntimeCallsNoUnsafeMemoryAccessMethod() throws Exception {
        assumeTrue(Runtime.version().feature() >= 24, "only JDK 24 and later warn about sun.misc.Unsafe's"
                + " memory-access methods (JEP 498); this is JDK " + Runtime.version());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // warn, the default from JDK 24 on, stated so that an environment's
        // JDK_JAVA_OPTIONS cannot silence the warning the test looks for.
        Process child = new ProcessBuilder(List.of(java.toString(), "--sun-misc-unsafe-memory-access=warn",
                "-cp", System.getProperty("java.class.path"), Child.class.getName())).start();
        child.getOutputStream().close();
        CompletableFuture<String> stdout = readAll(child.getInputStream());
        CompletableFuture<String> stderr = readAll(child.getErrorStream());
        assertTrue(child.waitFor(90, TimeUnit.SECONDS), "the child did not end in 90 s");
        String out = stdout.get(10, TimeUnit.SECONDS);
        String err = stderr.get(10, TimeUnit.SECONDS);
        assertEquals(0, child.exitValue(), "child's exit value; stdout:\n" + out + "\nstderr:\n" + err);
        assertTrue(out.contains(DONE), "the child did not finish its run; stdout:\n" + out + "\nstderr:\n" + err);
        assertFalse(err.contains("sun.misc.Unsafe"), "the runtime reached sun.misc.Unsafe; stderr:\n" + err);
    }

    private static CompletableFuture<String> readAll(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        });
    }

    /** The child JVM's main: runs the runtime's queues, prints {@link #DONE}, exits 0; any failure exits non-zero. */
    static final class Child {
        /** Posted at once: more than the 1,024 slots of a chunk of the event loop's queue. */
        private static final int EVENTS = 5_000;
        private static final int TASKS = 2_000;
        private static final long GUARD_SECONDS = 30;

        public static void main(String[] args) throws Exception {
            for (boolean virtual : new boolean[] {false, true}) {
                try (TaskRuntime runtime = TaskRuntime.builder().virtualThreads(virtual).maxPlatformThreads(2).start()) {
                    exercise(runtime, runtime.defaultContext());
                    EventContext own = runtime.contexts().start("child-context");
                    exercise(runtime, own);
                    own.close();
                }
            }
            System.out.println(DONE);
        }

        private static void exercise(TaskRuntime runtime, EventContext context) throws InterruptedException {
            CountDownLatch events = new CountDownLatch(EVENTS + 1);
            for (int i = 0; i < EVENTS; i++) {
                context.post(events::countDown);
            }
            context.schedule(Duration.ofMillis(1), events::countDown);
            await(events, "posted events and a timer");

            CountDownLatch tasks = new CountDownLatch(TASKS);
            for (int i = 0; i < TASKS; i++) {
                Task<Integer, Integer> task = runtime.tasks().create(i, done -> {
                    if (done.result() != done.source() + 1) {
                        throw new AssertionError("task " + done.source() + ": result " + done.result());
                    }
                    tasks.countDown();
                }, null);
                task.runInThread(running -> running.setResult(running.source() + 1), null, context);
            }
            await(tasks, "tasks");

            CountDownLatch jobs = new CountDownLatch(TASKS);
            for (int i = 0; i < TASKS; i++) {
                runtime.runner().execute(jobs::countDown);
            }
            await(jobs, "runner jobs");
        }

        private static void await(CountDownLatch latch, String what) throws InterruptedException {
            if (!latch.await(GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError(what + ": " + latch.getCount() + " not done in " + GUARD_SECONDS + " s");
            }
        }
    }
}
