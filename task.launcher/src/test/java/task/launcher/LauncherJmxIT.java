package task.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import task.testing.AttachedJmx;

/**
 * The runtime's MBeans from outside the launcher's JVM, reached as JConsole
 * and VisualVM reach a local process: {@code --serve} with three sleepers in
 * flight, the Attach API's local management agent, a JMX connection; on
 * Felix and on Equinox. The runner's bean answers for all its attributes,
 * and the shell bundle's owner bean counts the sleepers as started and in
 * flight. The launcher then stops on SIGTERM.
 */
class LauncherJmxIT {
    /** A bound on each wait, so that a broken launcher fails the test instead of hanging it. */
    private static final long GUARD_SECONDS = 60;
    private static final String[] RUNNER_ATTRIBUTES = { "VirtualThreads", "Threads", "Busy", "Queued" };

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = { "felix", "equinox" })
    void anAttachedJmxClientSeesTheRunnerAndTheShellsTasksInFlight(String framework) throws Exception {
        List<String> command = LauncherIT.javaCommand(framework);
        command.addAll(List.of("--serve", "task:sleep 3 600000"));
        Path err = dir.resolve("err.txt");
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        try {
            process.getOutputStream().close();
            awaitLine(process.inputReader(), "started 3 task(s)", err);
            try (AttachedJmx jmx = AttachedJmx.attach(process.pid())) {
                MBeanServerConnection server = jmx.server();
                ObjectName runner = jmx.theOne("task.runtime:type=Runner,*");
                assertEquals(RUNNER_ATTRIBUTES.length, server.getAttributes(runner, RUNNER_ATTRIBUTES).size(),
                        "every attribute of " + runner + " read");
                assertTrue((Integer) server.getAttribute(runner, "Threads") >= 0, runner::toString);
                ObjectName shell = jmx.theOne(
                        "task.runtime:type=Owner,name=" + ObjectName.quote("task.shell") + ",*");
                long started = (Long) server.getAttribute(shell, "Started");
                long inFlight = (Long) server.getAttribute(shell, "InFlight");
                assertTrue(started >= 3 && inFlight >= 3,
                        () -> shell + ": Started " + started + ", InFlight " + inFlight);
                ObjectName contexts = jmx.theOne("task.runtime:type=Contexts,*");
                assertEquals(runner.getKeyProperty("runtime"), contexts.getKeyProperty("runtime"));
                CompositeData[] rows = (CompositeData[]) server.getAttribute(contexts, "Contexts");
                List<String> names = Arrays.stream(rows).map(row -> (String) row.get("name")).toList();
                assertTrue(names.contains("task-default-context"), names::toString);
                for (CompositeData row : rows) {
                    assertTrue((Long) row.get("busyNanos") >= 0 && (Integer) row.get("pending") >= 0, row::toString);
                }
            }
            process.destroy(); // SIGTERM
            assertTrue(process.waitFor(GUARD_SECONDS, TimeUnit.SECONDS), "the launcher stops on SIGTERM");
            assertEquals(0, process.exitValue(), () -> "stderr:\n" + read(err));
        } finally {
            process.destroyForcibly();
            process.waitFor(GUARD_SECONDS, TimeUnit.SECONDS);
        }
    }



    /** Reads {@code out} up to a line that starts with {@code prefix}; fails at its end or after the guard. */
    private static void awaitLine(BufferedReader out, String prefix, Path err) throws Exception {
        StringBuffer seen = new StringBuffer();
        FutureTask<Boolean> found = new FutureTask<>(() -> {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(prefix)) {
                    return true;
                }
                seen.append(line).append('\n');
            }
            return false;
        });
        Thread reader = new Thread(found, "launcher output");
        reader.setDaemon(true);
        reader.start();
        boolean seenIt;
        try {
            seenIt = found.get(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException stillWaiting) {
            seenIt = false;
        }
        assertTrue(seenIt, () -> "no line '" + prefix + "' in stdout:\n" + seen + "\nstderr:\n" + read(err));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + file + " unreadable: " + e + ")";
        }
    }
}
