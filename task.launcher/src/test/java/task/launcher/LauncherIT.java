package task.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
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
        List<String> command = javaCommand(framework);
        command.addAll(List.of(args));
        // Output to files: a pipe read by another thread may be closed under it when the process exits.
        Path out = Files.createTempFile("launcher-out-", ".txt");
        Path err = Files.createTempFile("launcher-err-", ".txt");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            try (var stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("launcher did not exit within 60 s: " + command);
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * Standard error's lines without the JVM's own warnings: on JDK 24 and
     * later, Felix's use of {@code sun.misc.Unsafe} (JEP 498) prints four
     * {@code WARNING:} lines the launcher cannot suppress.
     */
    static List<String> errorLines(String err) {
        return err.lines().filter(line -> !JVM_WARNING.matcher(line).find()).toList();
    }

    private static final java.util.regex.Pattern JVM_WARNING = java.util.regex.Pattern.compile(
            "^WARNING: (A terminally deprecated method in sun\\.misc\\.Unsafe|sun\\.misc\\.Unsafe::"
                    + "|Please consider reporting this to the maintainers of)");

    /**
     * The java command line that starts the launcher on {@code framework}
     * ({@code felix}, {@code equinox} or {@code one-file}), without arguments.
     */
    static List<String> javaCommand(String framework) throws IOException {
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
        return command;
    }

    @Test
    void lbListsTheBundlesAndExitsZero() throws Exception {
        Result r = launch("lb");
        assertEquals(0, r.exitCode(), () -> "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
        assertTrue(r.out().contains("task.impl"), () -> "no task.impl in:\n" + r.out());
        assertTrue(r.out().contains("task.api"), () -> "no task.api in:\n" + r.out());
        assertFalse(r.err().contains("Cannot start"), () -> "a bundle did not start:\n" + r.err());
    }

    /**
     * The default runtime is free of HTTP: no HTTP service, servlet or Web
     * Console bundle is installed, and none is in {@code bundle/}; they come
     * only with {@code --webconsole PORT} (see {@code WebConsoleIT}).
     */
    @Test
    void defaultRuntimeHasNoHttp() throws Exception {
        Result r = launch("lb");
        assertEquals(0, r.exitCode(), () -> "stderr:\n" + r.err());
        for (String name : List.of("http", "servlet", "webconsole", "jetty")) {
            assertFalse(r.out().toLowerCase(java.util.Locale.ROOT).contains(name), () -> name + " in:\n" + r.out());
        }
        Path bundles = Paths.get(System.getProperty("task.launcher.jar", "target/runtime/task.launcher.jar"))
                .resolveSibling("bundle");
        try (var jars = Files.list(bundles)) {
            List<String> http = jars.map(f -> f.getFileName().toString())
                    .filter(f -> f.contains("http") || f.contains("servlet") || f.contains("webconsole")).toList();
            assertTrue(http.isEmpty(), () -> "HTTP bundles in " + bundles + ": " + http);
        }
        Result bad = launch("--webconsole", "nope", "lb");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("--webconsole needs a port from 1 to 65535, got 'nope'"), () -> bad.err());
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
        assertEquals(7, ours.size(), () -> framework + " stdout:\n" + r.out());
        assertTrue(ours.stream().allMatch(line -> line.contains("Active")), () -> framework + " stdout:\n" + r.out());
    }

    @Test
    void exitLeavesThePipedShellWithItsStatusAndNoError() throws Exception {
        Result r = launchOn("felix", "task:resolve 127.0.0.1 80\nexit 3\ntask:resolve 127.0.0.1 81\n");
        assertEquals(3, r.exitCode(), () -> "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
        assertTrue(r.out().contains("127.0.0.1:80") && !r.out().contains("127.0.0.1:81"), () -> "stdout:\n" + r.out());
        assertEquals(List.of(), errorLines(r.err()), "stderr");
    }

    @Test
    void exitWithoutAStatusIsZeroAndABadStatusIsAnError() throws Exception {
        assertEquals(0, launchOn("felix", "exit\ntask:sleep 1 60000\n").exitCode());
        Result bad = launch("exit", "abc");
        assertEquals(1, bad.exitCode(), () -> "stderr:\n" + bad.err());
        assertTrue(bad.err().contains("exit: STATUS must be a number 0..255, got 'abc'"), () -> "stderr:\n" + bad.err());
        Result chained = launch("task:resolve 127.0.0.1 80; exit 4");
        assertEquals(4, chained.exitCode(), () -> "stderr:\n" + chained.err());
    }

    /** A failure typed into the piped shell prints its message alone, and the shell goes on. */
    @Test
    void aFailedLineIsItsMessageAndTheShellGoesOn() throws Exception {
        Result r = launchOn("felix", "task:resolve localhost 65536\ntask:resolve 127.0.0.1 80\n");
        assertEquals(0, r.exitCode(), () -> "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
        assertEquals(List.of("resolve: port 65536 out of range 0..65535", "usage: task:resolve HOST [PORT] [FAMILY]"),
                errorLines(r.err()));
        assertTrue(r.out().contains("127.0.0.1:80"), () -> "stdout:\n" + r.out());
    }

    @Test
    void helpAndUnknownOptions() throws Exception {
        Result help = launch("--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("--serve"), () -> help.out());
        Result unknown = launch("--frobnicate");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown option --frobnicate"), () -> unknown.err());
    }

    /**
     * {@code --serve "listen ..."} keeps the echo service up with standard
     * input closed, serves a client, and on SIGTERM stops every bundle and
     * exits 0.
     */
    @Test
    void serveKeepsAListenerUpUntilSigterm() throws Exception {
        List<String> command = javaCommand("felix");
        command.addAll(List.of("--serve", "listen", "127.0.0.1:0"));
        Path err = Files.createTempFile("launcher-err-", ".txt");
        err.toFile().deleteOnExit();
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        process.getOutputStream().close();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String address = out.readLine();
            assertTrue(address != null && address.startsWith("listening on 127.0.0.1:"), () -> "first line: " + address);
            int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            try (java.net.Socket client = new java.net.Socket("127.0.0.1", port)) {
                client.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
                byte[] echoed = client.getInputStream().readNBytes(5);
                assertEquals("ping\n", new String(echoed, StandardCharsets.UTF_8));
            }
            process.destroy(); // SIGTERM
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the launcher did not stop on SIGTERM");
            }
        }
        String errors = Files.readString(err);
        assertEquals(0, process.exitValue(), () -> "stderr:\n" + errors);
        assertTrue(errors.contains("task-shell: serving until Ctrl-C or SIGTERM"), () -> "stderr:\n" + errors);
        assertTrue(errors.contains("task-shell: SIGTERM: stopping"), () -> "stderr:\n" + errors);
    }
}
