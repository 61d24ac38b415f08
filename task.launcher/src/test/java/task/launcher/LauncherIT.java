package task.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the assembled target/runtime/task.launcher.jar in a child JVM with the
 * real Felix framework and bundles (after the package phase).
 */
class LauncherIT {

    record Result(int exitCode, String out, String err) {}

    static Result launch(String... args) throws Exception {
        return launchOn("felix", "", args);
    }

    /**
     * Runs the launcher on a framework as {@code ./task-shell} does (Equinox:
     * its jar beside the launcher's, on the class path), or the one-file
     * runtime ({@code one-file}: Felix, alone in a folder), with {@code input}
     * as standard input, then closed.
     */
    static Result launchOn(String framework, String input, String... args) throws Exception {
        Path jar = Paths.get(System.getProperty("task.launcher.jar", "target/runtime/task.launcher.jar"));
        assertTrue(Files.isRegularFile(jar), "launcher not assembled: " + jar);
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString()));
        if (framework.equals("felix")) {
            command.addAll(List.of("-jar", jar.toString()));
        } else if (framework.equals("one-file")) {
            // Alone in a folder of its own: nothing beside it to lean on.
            Path alone = Files.createTempDirectory("task-runtime-jar-").resolve("task-runtime.jar");
            Files.copy(Paths.get(System.getProperty("task.runtime.jar", "target/task-runtime.jar")), alone);
            alone.toFile().deleteOnExit();
            alone.getParent().toFile().deleteOnExit();
            command.addAll(List.of("-jar", alone.toString()));
        } else {
            Path equinox = jar.resolveSibling("org.eclipse.osgi.jar");
            command.addAll(List.of("-Dtask.launcher.framework=" + framework, "-cp",
                    equinox + File.pathSeparator + jar, "task.launcher.Launcher"));
        }
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("launcher did not exit within 60 s: " + command);
        }
        return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                in.transferTo(buffer);
                return buffer.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void lbListsTheBundlesAndExitsZero() throws Exception {
        Result r = launch("lb");
        assertEquals(0, r.exitCode(), () -> "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
        assertTrue(r.out().contains("task.impl"), () -> "no task.impl in:\n" + r.out());
        assertTrue(r.out().contains("task.api"), () -> "no task.api in:\n" + r.out());
        assertFalse(r.err().contains("Cannot start"), () -> "a bundle did not start:\n" + r.err());
    }

    @Test
    void unknownCommandExitsNonZero() throws Exception {
        Result r = launch("nosuchcommand");
        assertNotEquals(0, r.exitCode(), () -> "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
        assertTrue(r.err().contains("nosuchcommand"), () -> "stderr:\n" + r.err());
    }

    @Test
    void resolvingLocalhostPrintsItsLoopbackAddressAndExitsZero() throws Exception {
        Result r = launch("task:resolve", "localhost");
        assertEquals(0, r.exitCode(), () -> "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
        assertTrue(r.out().lines().anyMatch("127.0.0.1"::equals), () -> "stdout:\n" + r.out());
    }

    @Test
    void badInputPrintsTheErrorAndExitsNonZero() throws Exception {
        Result r = launch("task:resolve", "localhost", "65536");
        assertNotEquals(0, r.exitCode(), () -> "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
        assertTrue(r.err().contains("resolve: port 65536 out of range 0..65535"), () -> "stderr:\n" + r.err());
    }

    /** Every command of a chain prints its own output, not only the last. */
    @Test
    void aDemoTaskIsListedWithItsOwner() throws Exception {
        Result r = launch("task:sleep 1 60000; task:tasks");
        assertEquals(0, r.exitCode(), () -> "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
        assertTrue(r.out().contains("started 1 task(s)"), () -> "stdout:\n" + r.out());
        assertTrue(r.out().contains("sleep-1") && r.out().contains("task.shell"), () -> "stdout:\n" + r.out());
    }

    /**
     * The interactive shell appears on Equinox too (which makes the shell
     * non-interactive unless gosh.args is set), reads commands from a pipe and
     * stops the framework at the end of its input.
     */
    @ParameterizedTest
    @ValueSource(strings = { "felix", "equinox", "one-file" })
    void theInteractiveShellPromptsRunsACommandAndEndsWithItsInput(String framework) throws Exception {
        Result r = launchOn(framework, "task:resolve 127.0.0.1 80\n");
        assertEquals(0, r.exitCode(), () -> "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
        assertTrue(r.out().contains("g! 127.0.0.1:80"), () -> framework + " stdout:\n" + r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = { "felix", "equinox", "one-file" })
    void aCommandRunsOnEitherFramework(String framework) throws Exception {
        Result r = launchOn(framework, "", "lb");
        assertEquals(0, r.exitCode(), () -> "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
        assertTrue(r.out().contains(framework.equals("equinox") ? "|OSGi System Bundle (3." : "|System Bundle (7."),
                () -> framework + " stdout:\n" + r.out());
        List<String> ours = r.out().lines().filter(line -> line.contains("|task.")).toList();
        assertEquals(6, ours.size(), () -> framework + " stdout:\n" + r.out());
        assertTrue(ours.stream().allMatch(line -> line.contains("Active")), () -> framework + " stdout:\n" + r.out());
    }
}
