package task.plugins.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9, descriptor exhaustion: a listener whose process runs out of file
 * descriptors backs off instead of spinning, and serves again by itself once
 * descriptors are free.
 * <p>
 * The listener runs in a child JVM ({@link BackoffChild}) limited to
 * {@value #CHILD_DESCRIPTORS} descriptors ({@code ulimit -n}), serving the
 * echo service. This test floods it with {@value #FLOOD} loopback
 * connections and holds them: the child accepts until it is out of
 * descriptors, then every accept fails with "Too many open files" while the
 * clients wait in the kernel's backlog. Once the child reports its first
 * failure, the flood closes (the child's echo clients see end of stream and
 * close, which frees descriptors) and one well-behaved client must get its
 * echo. The child counts every log record and every failed accept.
 * <p>
 * The bound, from the back-off alone: after a failed accept the listener
 * waits at least {@link NetListener#FIRST_BACKOFF} before it accepts again,
 * so over the run, measured here from before the flood to the child's
 * figures (a window that contains every accept of the flood), it can have
 * failed at most {@code window / FIRST_BACKOFF + 1} times; and it logs one
 * line per failure, plus one when accepts succeed again. Without the
 * back-off the same run fails hundreds of thousands of times. Nothing here
 * waits on time: each step waits for a line of the child, under a hang guard.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a backstop; every step has its own guard
class AcceptBackoffTest {
    private static final int CHILD_DESCRIPTORS = 256;
    private static final int FLOOD = 400;
    /**
     * Failed accepts the flood is held for: with the back-off, the 8th comes
     * after 10 + 20 + ... + 640 ms, so the stall reaches the longest delay.
     */
    private static final int STALL_FAILURES = 8;
    /** Hang guards only. */
    private static final long GUARD_SECONDS = 60;

    @Test
    void aListenerOutOfDescriptorsBacksOffLogsBoundedlyAndServesAgain() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // bash for ulimit; "$@" passes the JVM's arguments through unquoted.
        List<String> command = List.of("bash", "-c", "ulimit -n " + CHILD_DESCRIPTORS + " && exec \"$@\"", "bash",
                java.toString(), "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), BackoffChild.class.getName(),
                String.valueOf(STALL_FAILURES));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        ChildOutput output = new ChildOutput(child);
        List<SocketChannel> flood = new ArrayList<>();
        try {
            int port = Integer.parseInt(output.expect("child: listening "));
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            long start = System.nanoTime();
            for (int i = 0; i < FLOOD; i++) {
                // Blocking connects: the kernel completes each from the child's backlog (1024), accepted or not.
                flood.add(SocketChannel.open(address));
            }
            output.expect("child: stalled");
            for (SocketChannel client : flood) {
                client.close();
            }
            flood.clear();

            try (Socket wellBehaved = new Socket()) {
                wellBehaved.setSoTimeout((int) TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
                wellBehaved.connect(address);
                byte[] hello = "served after the stall".getBytes(StandardCharsets.UTF_8);
                OutputStream out = wellBehaved.getOutputStream();
                out.write(hello);
                out.flush();
                assertEquals(new String(hello, StandardCharsets.UTF_8),
                        new String(wellBehaved.getInputStream().readNBytes(hello.length), StandardCharsets.UTF_8),
                        "the echo of a client after the stall");
            }
            output.send("report");
            Map<String, String> figures = parse(output.expect("child: figures "));
            long windowMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            output.send("quit");
            assertTrue(child.waitFor(GUARD_SECONDS, TimeUnit.SECONDS), "the child exits");
            assertEquals(0, child.exitValue(), () -> "the child's exit status; its output: " + output.tail());

            long failures = Long.parseLong(figures.get("failures"));
            long records = Long.parseLong(figures.get("records"));
            long withStackTrace = Long.parseLong(figures.get("thrown"));
            long recoveries = Long.parseLong(figures.get("recoveries"));
            long bound = windowMillis / NetListener.FIRST_BACKOFF.toMillis() + 1;
            long rowBound = (recoveries + 1) * failuresAllowedByTheDoublingIn(windowMillis);
            System.out.printf("[backoff] %d ms from flood to figures (bounds %d, %d): %d failed accepts reported"
                    + " (%s counted), %d log records (%d with a stack trace, %d recoveries), %s clients accepted;"
                    + " first: %s%n", windowMillis, bound, rowBound, failures, figures.get("counted"), records,
                    withStackTrace, recoveries, figures.get("accepted"), figures.get("first"));
            assertTrue(figures.get("first").contains("Too many open files"),
                    () -> "the child ran out of descriptors: " + figures.get("first"));
            assertTrue(failures >= STALL_FAILURES, "failed accepts while the flood was held");
            assertTrue(failures <= bound, () -> failures + " failed accepts in " + windowMillis
                    + " ms; the back-off allows " + bound);
            assertTrue(failures <= rowBound, () -> failures + " failed accepts in " + windowMillis + " ms and "
                    + (recoveries + 1) + " rows; a doubling back-off allows " + rowBound);
            assertTrue(records <= 2 * failures, () -> records + " log records for " + failures
                    + " failed accepts: one per suspension and one per recovery at most");
            assertTrue(withStackTrace <= recoveries + 1, () -> withStackTrace + " records with a stack trace for "
                    + (recoveries + 1) + " rows of failures: only a row's first failure carries one");
            assertEquals(failures, Long.parseLong(figures.get("counted")), "failed accepts, logged vs. counted");
        } finally {
            for (SocketChannel client : flood) {
                client.close();
            }
            child.destroyForcibly();
            child.waitFor(GUARD_SECONDS, TimeUnit.SECONDS);
        }
    }

    /**
     * How many failed accepts one row of failures (no success between them)
     * can hold within {@code windowMillis}: the k-th failure comes at least
     * the sum of the first k - 1 delays after the first.
     */
    private static long failuresAllowedByTheDoublingIn(long windowMillis) {
        long failures = 1;
        long elapsed = 0;
        long delay = NetListener.FIRST_BACKOFF.toMillis();
        while (elapsed + delay <= windowMillis) {
            elapsed += delay;
            failures++;
            delay = Math.min(2 * delay, NetListener.MAX_BACKOFF.toMillis());
        }
        return failures;
    }

    private static Map<String, String> parse(String figures) {
        Map<String, String> parsed = new HashMap<>();
        int first = figures.indexOf(" first=");
        for (String pair : figures.substring(0, first).split(" ")) {
            int equals = pair.indexOf('=');
            parsed.put(pair.substring(0, equals), pair.substring(equals + 1));
        }
        parsed.put("first", figures.substring(first + " first=".length()));
        return parsed;
    }

    /** The child's output, read by a thread of its own: its protocol lines, and a tail of the rest. */
    private static final class ChildOutput {
        private static final int TAIL = 40;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Deque<String> tail = new ArrayDeque<>();
        private final Writer commands;

        ChildOutput(Process child) {
            commands = child.outputWriter(StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        remember(line);
                        if (line.startsWith("child: ")) {
                            lines.add(line);
                        }
                    }
                } catch (IOException e) {
                    remember("(reading the child's output failed: " + e + ")");
                }
            }, "child output");
            reader.setDaemon(true);
            reader.start();
        }

        private synchronized void remember(String line) {
            tail.addLast(line);
            if (tail.size() > TAIL) {
                tail.removeFirst();
            }
        }

        synchronized String tail() {
            return String.join("\n", tail);
        }

        /** Waits for the child's next protocol line, which must start with {@code prefix}; returns the rest. */
        String expect(String prefix) throws InterruptedException {
            String line = lines.poll(GUARD_SECONDS, TimeUnit.SECONDS);
            assertNotNull(line, () -> "no '" + prefix + "' from the child within " + GUARD_SECONDS + " s; its output:\n"
                    + tail());
            assertTrue(line.startsWith(prefix), () -> "expected '" + prefix + "', got '" + line + "'; output:\n"
                    + tail());
            return line.substring(prefix.length());
        }

        void send(String command) throws IOException {
            commands.write(command + "\n");
            commands.flush();
        }
    }
}
