package task.karaf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An unpacked Karaf distribution, configured to see only loopback and one
 * directory repository, booted as {@code bin/karaf server} and driven by
 * {@code bin/client} in batch mode. The time limits below are bounds, so
 * that a broken Karaf fails the build instead of hanging it; the only pause
 * is between two probes of the ssh port, and is spent waiting on Karaf's exit.
 */
final class Karaf implements AutoCloseable {

    /** The one shell user, written to etc/users.properties. */
    private static final String USER = "karaf";
    private static final long BOOT_MINUTES = 5;
    private static final long COMMAND_MINUTES = 3;
    private static final long STOP_MINUTES = 2;
    private static final InetAddress LOOPBACK = loopback();
    /** How long each readiness probe waits on Karaf's exit before the next probe. */
    private static final long PROBE_INTERVAL_MILLIS = 100;

    record Result(int status, String output) {}

    private final Path home;
    /** Where the console output and the scripts' input and output go: beside the distribution. */
    private final Path work;
    private final int sshPort;
    private final Process process;
    private final Thread killOnExit;

    private Karaf(Path home, int sshPort, Process process) {
        this.home = home;
        this.work = home.getParent();
        this.sshPort = sshPort;
        this.process = process;
        // a build stopped mid-test (Ctrl-C) must not leave a Karaf behind
        this.killOnExit = new Thread(() -> tree().forEach(ProcessHandle::destroyForcibly));
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Configures the distribution at {@code home} to resolve mvn: URLs from
     * its system/ folder and {@code repository} only, starts it with a fresh
     * data/ folder and returns once its ssh port accepts connections. Stops
     * it again if it does not get there.
     */
    static Karaf boot(Path home, Path repository) throws Exception {
        int sshPort = freeLoopbackPort();
        configure(home, repository, sshPort);
        delete(home.resolve("data"));
        Process process = script(home, "karaf", "server")
                .redirectErrorStream(true)
                .redirectOutput(home.resolveSibling("console.log").toFile())
                .start();
        Karaf karaf = new Karaf(home, sshPort, process);
        try {
            karaf.awaitSsh();
            return karaf;
        } catch (Throwable failure) {
            karaf.destroy();
            throw failure;
        }
    }

    /** Runs {@code commands} in one batch session; the status is 0 only if every command succeeded. */
    Result client(String... commands) throws Exception {
        Path input = work.resolve("client.in");
        Files.writeString(input, String.join("\n", commands) + "\n");
        return run(script(home, "client", "-h", LOOPBACK.getHostAddress(), "-a", Integer.toString(sshPort),
                "-u", USER, "-p", USER, "-b").redirectInput(input.toFile()), "bin/client " + String.join("; ", commands));
    }

    /** The process id of Karaf's JVM, which {@code bin/karaf server} runs as its child. */
    long jvmPid() {
        List<ProcessHandle> javas = tree().stream()
                .filter(handle -> handle.info().command().filter(command -> command.endsWith("/java")).isPresent())
                .toList();
        if (javas.size() != 1) {
            throw new IllegalStateException("not one java process in bin/karaf's tree: "
                    + tree().stream().map(ProcessHandle::info).toList());
        }
        return javas.get(0).pid();
    }

    /** The end of Karaf's own log, for failure messages. */
    String logTail() {
        Path log = home.resolve("data/log/karaf.log");
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of("(no " + log + ")");
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(" + log + " unreadable: " + e + ")";
        }
    }

    /**
     * Stops Karaf by {@code bin/stop} and fails if it is not gone afterwards;
     * whatever happens, the script and its JVM are killed before this returns.
     */
    @Override
    public void close() throws Exception {
        List<ProcessHandle> tree = tree();
        try {
            Result stop = run(script(home, "stop"), "bin/stop");
            if (stop.status() != 0) {
                throw new AssertionError("bin/stop exited " + stop.status() + ":\n" + stop.output());
            }
            for (ProcessHandle handle : tree) {
                if (!awaitExit(handle, STOP_MINUTES)) {
                    throw new AssertionError("Karaf still runs " + STOP_MINUTES + " min after bin/stop: " + handle.info());
                }
            }
        } finally {
            destroy(tree);
        }
    }

    private void awaitSsh() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(BOOT_MINUTES);
        while (!acceptsConnections(sshPort)) {
            // waiting on the exit between probes also notices a Karaf that died
            if (process.waitFor(PROBE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("Karaf exited with " + process.exitValue() + " before its ssh port opened\n"
                        + Files.readString(work.resolve("console.log")) + "\n" + logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Karaf's ssh port " + sshPort + " closed after " + BOOT_MINUTES + " min\n" + logTail());
            }
        }
    }

    private void destroy() {
        destroy(tree());
    }

    private void destroy(List<ProcessHandle> tree) {
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle handle : tree) {
            awaitExit(handle, STOP_MINUTES);
        }
        Runtime.getRuntime().removeShutdownHook(killOnExit);
    }

    /** The script and its JVM, taken together: a child whose parent is gone leaves the tree. */
    private List<ProcessHandle> tree() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        return tree;
    }

    private static boolean awaitExit(ProcessHandle handle, long minutes) {
        handle.onExit().completeOnTimeout(handle, minutes, TimeUnit.MINUTES).join();
        return !handle.isAlive();
    }

    /** Runs a short-lived script to its end, its output (stdout and stderr) through a file, so no pipe can fill. */
    private Result run(ProcessBuilder builder, String what) throws Exception {
        Path output = work.resolve("command.out");
        Process process = builder.redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(COMMAND_MINUTES, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError(what + " still runs after " + COMMAND_MINUTES + " min:\n" + Files.readString(output));
        }
        return new Result(process.exitValue(), Files.readString(output));
    }

    /** A bin/ script of the distribution, on the JDK running this test and with no inherited Karaf settings. */
    private static ProcessBuilder script(Path home, String name, String... args) {
        List<String> command = new ArrayList<>(List.of("sh", home.resolve("bin").resolve(name).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("KARAF_") || key.equals("JAVA_OPTS") || key.equals("EXTRA_JAVA_OPTS"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return builder;
    }

    /**
     * The changes to the distribution's etc/: ssh on loopback and a free
     * port; one user for the client; pax-url offline, reading mvn: URLs from
     * system/ and {@code repository} only, with an empty settings file and a
     * local repository under data/, so that neither the network nor the
     * user's own Maven repository (which may hold stale builds) is used.
     * The minimal distribution runs no JMX (no RMI ports); its shutdown port
     * is chosen at random on localhost.
     */
    private static void configure(Path home, Path repository, int sshPort) throws IOException {
        Path etc = home.resolve("etc");
        Path shell = etc.resolve("org.apache.karaf.shell.cfg");
        String settings = Files.readString(shell);
        settings = set(settings, "sshPort", Integer.toString(sshPort));
        settings = set(settings, "sshHost", LOOPBACK.getHostAddress());
        Files.writeString(shell, settings);
        Files.writeString(etc.resolve("users.properties"), String.join("\n",
                USER + " = " + USER + ",_g_:admingroup",
                "_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh", ""));
        Files.writeString(etc.resolve("empty-settings.xml"), "<settings/>\n");
        Files.writeString(etc.resolve("org.ops4j.pax.url.mvn.cfg"), String.join("\n",
                "org.ops4j.pax.url.mvn.offline = true",
                "org.ops4j.pax.url.mvn.useFallbackRepositories = false",
                "org.ops4j.pax.url.mvn.settings = ${karaf.etc}/empty-settings.xml",
                "org.ops4j.pax.url.mvn.localRepository = ${karaf.data}/repository",
                "org.ops4j.pax.url.mvn.defaultRepositories = "
                        + "${karaf.home.uri}${karaf.default.repository}@id=system.repository@snapshots, "
                        + repository.toUri() + "@id=build.repository@snapshots",
                "org.ops4j.pax.url.mvn.repositories = ", ""));
    }

    /** {@code settings} with the value of {@code key}, a line the distribution ships, replaced. */
    private static String set(String settings, String key, String value) {
        Pattern line = Pattern.compile("(?m)^" + key + "\\s*=.*$");
        if (!line.matcher(settings).find()) {
            throw new IllegalStateException("no line " + key + " = ... in org.apache.karaf.shell.cfg");
        }
        return line.matcher(settings).replaceAll(key + " = " + value);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
            return socket.getLocalPort();
        }
    }

    /** IPv4 loopback, the address sshHost names (getLoopbackAddress may be ::1). */
    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }

    private static boolean acceptsConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port));
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
