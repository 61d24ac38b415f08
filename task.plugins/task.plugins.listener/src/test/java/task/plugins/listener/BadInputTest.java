package task.plugins.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import task.impl.TaskRuntime;

/**
 * Bad input at every entry point fails fast, names the operation and the
 * value, and leaves nothing open: no descriptor, no task, no listener.
 */
@Timeout(60)
class BadInputTest {
    private static final String LABEL_300 = "a".repeat(300);
    private static final String MISSING_DIRECTORY = "/no-such-directory-for-the-listener-test/echo.sock";

    private TaskRuntime runtime;

    @BeforeEach
    void start() {
        runtime = TaskRuntime.start();
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    /** One bad call and what its message must contain. */
    private record Case(String what, List<String> arguments, String expected) {
    }

    @Test
    void theOperationRejectsBadArgumentsBeforeStartingAnything() throws Exception {
        List<Case> cases = List.of(
                new Case("port -1", List.of("127.0.0.1:-1"), "port -1 out of range 0..65535 in '127.0.0.1:-1'"),
                new Case("port 65536", List.of("127.0.0.1:65536"), "port 65536 out of range 0..65535"),
                new Case("host:port:extra", List.of("a:1:2"), "'a:1:2'"),
                new Case("300-character label", List.of(LABEL_300 + ":80"), "label longer than 63 characters"),
                new Case("empty address", List.of(""), "address not specified ('')"),
                new Case("no port", List.of("localhost"), "port not specified in 'localhost'"),
                new Case("port not a number", List.of("localhost:http"), "port 'http' is not a number"),
                new Case("no argument", List.of(), "missing argument ADDRESS"),
                new Case("backlog 0", List.of("127.0.0.1:0", "0"), "backlog 0 out of range 1..65535"),
                new Case("backlog 65536", List.of("127.0.0.1:0", "65536"), "backlog 65536 out of range 1..65535"),
                new Case("backlog -1", List.of("127.0.0.1:0", "-1"), "backlog '-1' is not a number"),
                new Case("backlog empty", List.of("127.0.0.1:0", ""), "backlog '' is not a number"),
                new Case("too many arguments", List.of("127.0.0.1:0", "4", "x"), "too many arguments"),
                new Case("UNIX path in a missing directory", List.of("unix:" + MISSING_DIRECTORY),
                        "directory '/no-such-directory-for-the-listener-test' of UNIX socket path 'unix:"
                                + MISSING_DIRECTORY + "' does not exist"),
                new Case("empty UNIX path", List.of("unix:"), "'unix:'"));
        Loopback.settle(runtime.defaultContext());
        long fds = Loopback.openFds();
        AtomicBoolean called = new AtomicBoolean();

        for (Case bad : cases) {
            IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                    () -> runtime.operations().start(runtime.tasks(), "listen", bad.arguments(), null,
                            done -> called.set(true)), bad.what());
            assertTrue(failure.getMessage().startsWith("listen: "), bad.what() + ": " + failure.getMessage());
            assertTrue(failure.getMessage().contains(bad.expected()), bad.what() + ": " + failure.getMessage());
        }
        assertThrows(NullPointerException.class, () -> runtime.operations().start(runtime.tasks(), "listen", null,
                null, done -> called.set(true)));
        assertThrows(NullPointerException.class, () -> runtime.operations().start(runtime.tasks(), "listen",
                Arrays.asList((String) null), null, done -> called.set(true)));

        Loopback.settle(runtime.defaultContext());
        assertFalse(called.get(), "no callback may run for a rejected start");
        assertEquals(List.of(), runtime.inspector().inFlight());
        assertEquals(fds, Loopback.openFds());
    }

    @Test
    void theJavaApiRejectsBadArgumentsBeforeOpeningAnything(@TempDir Path directory) throws Exception {
        Path existing = Files.createFile(directory.resolve("taken.sock"));
        NetListener listener = new NetListener("bad");
        long fds = Loopback.openFds();

        assertMessage(IllegalArgumentException.class, () -> listener.open(Loopback.ipv4(0), 0),
                "listen: backlog 0 out of range 1..65535");
        assertMessage(IllegalArgumentException.class, () -> listener.open(Loopback.ipv4(0), 65536),
                "listen: backlog 65536 out of range 1..65535");
        assertMessage(IllegalArgumentException.class, () -> listener.open(Loopback.unresolved(LABEL_300, 80), 1),
                "listen: host name label longer than 63 characters (300):");
        assertMessage(IllegalArgumentException.class, () -> listener.open(Loopback.unresolved("", 80), 1),
                "listen: host not specified");
        assertMessage(IllegalArgumentException.class, () -> listener.open(Loopback.unresolved("a:1:2", 80), 1),
                "'[a:1:2]:80'");
        assertMessage(IllegalArgumentException.class,
                () -> listener.open(UnixDomainSocketAddress.of(MISSING_DIRECTORY), 1),
                "listen: directory '/no-such-directory-for-the-listener-test' of UNIX socket path 'unix:"
                        + MISSING_DIRECTORY + "' does not exist");
        assertMessage(IllegalArgumentException.class, () -> listener.open(UnixDomainSocketAddress.of(existing), 1),
                "listen: UNIX socket path 'unix:" + existing + "' already exists");
        assertMessage(IllegalArgumentException.class, () -> listener.open(new SocketAddress() { }, 1),
                "listen: unsupported address type");
        assertMessage(NullPointerException.class, () -> listener.open(null, 1), "address");
        assertMessage(IllegalArgumentException.class, () -> listener.openTask(runtime.tasks(),
                Loopback.ipv4(0), -1, null, done -> { }), "listen: backlog -1 out of range 1..65535");
        assertMessage(NullPointerException.class, () -> listener.openTask(null, Loopback.ipv4(0), 1, null,
                done -> { }), "tasks");
        assertMessage(NullPointerException.class, () -> listener.openTask(runtime.tasks(), Loopback.ipv4(0), 1,
                null, null), "callback");
        assertMessage(NullPointerException.class, () -> new NetListener(null), "name");
        assertMessage(IllegalArgumentException.class, () -> new NetListener(" "),
                "listen: listener name must not be blank, got ' '");

        assertFalse(listener.isConnected());
        assertEquals(0, listener.socketCount());
        assertEquals(List.of(), runtime.inspector().inFlight());
        assertEquals(fds, Loopback.openFds());
    }

    private static <T extends Throwable> void assertMessage(Class<T> type, Executable call, String expected) {
        T failure = assertThrows(type, call);
        assertTrue(failure.getMessage() != null && failure.getMessage().contains(expected),
                "expected '" + expected + "' in: " + failure.getMessage());
    }
}
