package task.plugins.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;

/**
 * A real TLS peer: Debian's {@code openssl s_server} or {@code s_client} as
 * a child process, on 127.0.0.1. Its output (standard error merged in) is
 * read line by line by a daemon thread; the tests synchronise on what it
 * prints ({@link #awaitLine}), never on time. The waits give up after a
 * minute only so that a broken peer fails the test instead of hanging it.
 * <p>
 * The process's pipes are this JVM's descriptors too, and the JDK closes
 * them on its own thread when it reaps the child: the descriptor checks
 * ({@link Descriptors}) leave pipes out for that reason.
 */
public final class OpenSslPeer implements AutoCloseable {
    /** How long a wait for the peer may take before the test fails instead of hanging. */
    private static final long SAFETY_SECONDS = 60;
    private static final Pattern ACCEPT = Pattern.compile("ACCEPT 127\\.0\\.0\\.1:(\\d+)");
    private static volatile String unavailable;
    private static volatile boolean checked;

    private final Process process;
    private final String command;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer transcript = new StringBuffer();
    private final int port;

    /**
     * Skips the calling test, with the reason, unless an {@code openssl}
     * command runs here. The module's README says the tests need it. Call it
     * from each test (a {@code BeforeEach}), not a {@code BeforeAll}: Surefire
     * reports a class skipped in its {@code BeforeAll} as no tests at all,
     * without the reason.
     */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(isAvailable(), () -> "the TLS tests run against openssl s_server and s_client"
                + " (Debian: apt-get install openssl): " + unavailable);
    }

    /** @return whether an {@code openssl} command runs here (checked once) */
    public static boolean isAvailable() {
        if (!checked) {
            String reason = null;
            try {
                Process version = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
                version.getOutputStream().close();
                String output = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (version.waitFor() != 0) {
                    reason = "'openssl version' failed: " + output;
                }
            } catch (IOException e) {
                reason = "no openssl command: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reason = "interrupted while looking for openssl";
            }
            unavailable = reason;
            checked = true;
        }
        return unavailable == null;
    }

    /**
     * Starts {@code openssl s_server -accept 127.0.0.1:0 ARGUMENTS} in {@code dir}
     * and waits until it listens.
     */
    public static OpenSslPeer server(Path dir, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:0"));
        command.addAll(List.of(arguments));
        return new OpenSslPeer(dir, command, true);
    }

    /** Starts {@code openssl s_client -connect 127.0.0.1:PORT ARGUMENTS} in {@code dir}. */
    public static OpenSslPeer client(Path dir, int port, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
        command.addAll(List.of(arguments));
        return new OpenSslPeer(dir, command, false);
    }

    private OpenSslPeer(Path dir, List<String> command, boolean listens) throws IOException {
        this.command = String.join(" ", command);
        this.process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        Thread reader = new Thread(this::readOutput, "openssl-output " + command.get(1));
        reader.setDaemon(true);
        reader.start();
        if (listens) {
            Matcher accept = ACCEPT.matcher(awaitLine(line -> ACCEPT.matcher(line).find()));
            accept.find();
            this.port = Integer.parseInt(accept.group(1));
        } else {
            this.port = -1;
        }
    }

    private void readOutput() {
        // The stream is left open at its end: closing it is the JDK's business (see the class comment).
        BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.ISO_8859_1));
        try {
            String line;
            while ((line = in.readLine()) != null) {
                transcript.append(line).append('\n');
                lines.add(line);
            }
        } catch (IOException closed) {
            // the process was destroyed
        }
    }

    /** @return the port s_server listens on */
    public int port() {
        return port;
    }

    /**
     * Waits for a line of output that {@code wanted} accepts, consuming the
     * lines before it.
     *
     * @return the line
     * @throws AssertionError if the peer exits, or prints nothing wanted for a minute, with its transcript
     */
    public String awaitLine(Predicate<String> wanted) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAFETY_SECONDS);
        try {
            for (;;) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError(command + ": the wanted line did not come; output:\n" + transcript);
                }
                if (wanted.test(line)) {
                    return line;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + command, e);
        }
    }

    /** Waits for a line containing {@code text}. */
    public String awaitLine(String text) {
        return awaitLine(line -> line.contains(text));
    }

    /** Writes {@code line} and a newline to the peer's standard input. */
    public void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.ISO_8859_1));
        in.flush();
    }

    /** Waits for the peer to exit. @return its exit status */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(SAFETY_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError(command + " did not exit; output:\n" + transcript);
        }
        return process.exitValue();
    }

    /** @return everything printed so far */
    public String transcript() {
        return transcript.toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(SAFETY_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    @Override
    public String toString() {
        return command;
    }
}
