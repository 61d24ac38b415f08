package task.plugins.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.EventSource;
import task.impl.TaskRuntime;
import task.testing.LogCapture;

/**
 * Issue 9: the accept back-off (see {@link NetListener}'s state machine)
 * together with the calls that disarm and re-arm the watches. Each test
 * makes this JVM run out of descriptors for real, by opening
 * {@code /dev/null} until the kernel refuses, with one client waiting in
 * the backlog; the listener's context is caller-driven, so every step
 * happens when the test iterates it. Nothing that needs a descriptor (or a
 * class not loaded yet) runs while the descriptors are held.
 */
@Timeout(60)
class NetListenerBackoffTest {
    /** Exhausting a larger table would take too long. */
    private static final long LARGEST_LIMIT = 200_000;

    private TaskRuntime runtime;
    private Loopback loopback;
    private final List<FileChannel> held = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Loopback.openFileLimit() <= LARGEST_LIMIT, "too many descriptors to exhaust");
        Loopback.loadThePackagesClasses();
        runtime = TaskRuntime.start();
        loopback = new Loopback();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            release();
            loopback.close();
        } finally {
            runtime.close();
        }
    }

    /** Opens descriptors until the process has none left; returns the refusal. */
    private IOException exhaustDescriptors() {
        Path nothing = Path.of("/dev/null");
        while (true) {
            try {
                held.add(FileChannel.open(nothing));
            } catch (IOException refused) {
                return refused;
            }
        }
    }

    private void release() throws IOException {
        for (FileChannel channel : held) {
            channel.close();
        }
        held.clear();
    }

    /** A listener on a caller-driven context, armed, with one client in its backlog. */
    private NetListener listenerWithAWaitingClient(EventContext context, ClientHandler handler) throws Exception {
        NetListener listener = loopback.keep(new NetListener("backoff"));
        listener.open(Loopback.ipv4(0), 4);
        listener.setClientHandler(handler, context);
        Loopback.drain(context);
        loopback.connect(listener.localAddress(0));
        int port = ((InetSocketAddress) listener.localAddress(0)).getPort();
        Loopback.spinUntil(() -> Loopback.acceptQueueLength(port) == 1);
        return listener;
    }

    @Test
    void aHandlerChangeOrAWaitForClientEndsASuspensionAndAWaitThatCannotStartLeavesItAlone() throws Exception {
        EventContext context = loopback.keep(runtime.contexts().create("backoff"));
        List<SocketChannel> first = new ArrayList<>();
        List<SocketChannel> second = new ArrayList<>();
        try (LogCapture log = new LogCapture("task.plugins.listener")) {
            NetListener listener = listenerWithAWaitingClient(context, (l, client) -> first.add(loopback.keep(client)));
            loopback.connect(listener.localAddress(0)); // a second client waiting, for the waitForClient
            int port = ((InetSocketAddress) listener.localAddress(0)).getPort();
            Loopback.spinUntil(() -> Loopback.acceptQueueLength(port) == 2);
            IOException refused = exhaustDescriptors();
            assertTrue(String.valueOf(refused.getMessage()).contains("Too many open files"), refused.toString());

            context.iterate(false);
            assertEquals(1, listener.failedAccepts(), "failed accepts after the watch fired");
            EventSource firstResume = listener.pendingResume();
            assertNotNull(firstResume, "suspended: a resume timer is pending");

            listener.setClientHandler((l, client) -> second.add(loopback.keep(client)), context);
            assertNull(listener.pendingResume(), "a handler change re-arms the watches at once");
            assertFalse(firstResume.isActive(), "the old resume timer is cancelled");
            Loopback.iterateUntil(context, () -> listener.failedAccepts() == 2);
            EventSource secondResume = listener.pendingResume();
            assertNotNull(secondResume, "suspended again, the descriptors being still exhausted");

            // A wait that cannot open its selector fails before it touches the listener.
            IOException waitFailed = assertThrows(IOException.class, listener::waitForClient);
            assertTrue(String.valueOf(waitFailed.getMessage()).contains("Too many open files"), waitFailed.toString());
            assertSame(secondResume, listener.pendingResume(), "the suspension goes on");
            assertTrue(secondResume.isActive());

            release();
            // A wait that starts suspends the watches, takes a waiting client itself, then re-arms them.
            try (SocketChannel taken = listener.waitForClient()) {
                assertFalse(secondResume.isActive(), "the wait cancelled the resume timer");
                assertNull(listener.pendingResume(), "the end of the wait re-armed the watches at once");
                assertTrue(listener.isConnected());
            }
            Loopback.iterateUntil(context, () -> second.size() == 1);
            assertEquals(List.of(), first, "clients of the replaced handler");
            assertEquals(2, listener.failedAccepts(), "failed accepts in all");

            List<LogRecord> records = log.records();
            assertEquals(2, records.size(), () -> "one warning per failed accept: " + log.others());
            assertTrue(records.get(0).getMessage().contains("Too many open files"), records.get(0).getMessage());
            assertTrue(records.get(0).getMessage().contains("1 failure;"), records.get(0).getMessage());
            assertTrue(records.get(1).getMessage().contains("2 failures in a row"), records.get(1).getMessage());
            assertNotNull(records.get(0).getThrown(), "the first failure of a row carries its exception");
            assertNull(records.get(1).getThrown(), "the next does not");
            listener.setClientHandler(null, null);
            Loopback.drain(context); // the watch gone, disconnecting needs no poll of this caller-driven context
        }
    }

    @Test
    void disconnectingASuspendedListenerCancelsItsResumeTimer() throws Exception {
        EventContext context = loopback.keep(runtime.contexts().create("backoff"));
        List<SocketChannel> handed = new ArrayList<>();
        try (LogCapture log = new LogCapture("task.plugins.listener")) {
            NetListener listener = listenerWithAWaitingClient(context,
                    (l, client) -> handed.add(loopback.keep(client)));
            exhaustDescriptors();
            context.iterate(false);
            EventSource resume = listener.pendingResume();
            assertNotNull(resume, "suspended");
            assertTrue(resume.isActive());

            // From inside the context, so that disconnect() needs no later poll of it.
            context.post(listener::disconnect);
            context.iterate(false);
            release();

            assertFalse(listener.isConnected());
            assertFalse(resume.isActive(), "the resume timer is cancelled");
            assertNull(listener.pendingResume());
            Loopback.drain(context);
            assertEquals(1, listener.failedAccepts(), "no accept after the disconnect");
            assertEquals(List.of(), handed, "clients handed out after the disconnect");
            assertEquals(1, log.records().size(), () -> "warnings: " + log.others());
        }
    }
}
