package task.plugins.listener;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCancelledException;
import task.api.TaskInfo;
import task.api.TaskState;
import task.api.spi.OperationInfo;
import task.api.spi.OperationRequest;
import task.impl.TaskRuntime;

/** The {@code listen} operation: an echo service, through the operation service and directly. */
@Timeout(60)
class ListenOperationTest {
    private TaskRuntime runtime;
    private Loopback loopback;

    @BeforeEach
    void start() {
        runtime = TaskRuntime.start();
        loopback = new Loopback();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            loopback.close();
        } finally {
            runtime.close();
        }
    }

    /** Runs {@code listen} through the runtime's operation service, as the shell does. */
    private EchoListener listen(String... arguments) throws Exception {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        runtime.operations().start(runtime.tasks(), "listen", List.of(arguments), null, done -> complete(done, outcome));
        return loopback.keep((EchoListener) outcome.get());
    }

    /**
     * The listener and each client it serves are tasks in flight (so the
     * shell lists them) until they close; cancelling one closes it.
     */
    @Test
    void theListenerAndItsClientsAreTasksInFlightThatCancellingCloses() throws Exception {
        EchoListener echo = listen("127.0.0.1:0");
        int port = ((InetSocketAddress) echo.addresses().get(0)).getPort();
        TaskInfo listening = inFlight("echo 127.0.0.1:" + port);
        assertEquals(echo.taskId(), listening.id());
        try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            assertEquals("ping", echoed(client, "ping")); // served: its task was made before its watch
            TaskInfo served = inFlight("echo client 127.0.0.1:" + ((InetSocketAddress) client.getLocalAddress())
                    .getPort());
            assertTrue(runtime.inspector().cancel(served.id()));
            assertEquals(-1, client.read(ByteBuffer.allocate(1)), "the server closed the cancelled client");
        }
        assertTrue(runtime.inspector().cancel(listening.id()));
        assertFalse(echo.listener().isConnected());
        assertThrows(ConnectException.class, () -> SocketChannel.open(new InetSocketAddress("127.0.0.1", port)));
        afterTheDefaultContextsPendingEvents(); // the cancelled tasks' callbacks, posted there, have run
        assertEquals(List.of(), runtime.inspector().inFlight());
    }

    /** A listener disconnected in Java leaves the tasks in flight with its clients. */
    @Test
    void disconnectingTheListenerEndsItsTaskAndItsClientsTasks() throws Exception {
        EchoListener echo = listen("127.0.0.1:0");
        int port = ((InetSocketAddress) echo.addresses().get(0)).getPort();
        try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            assertEquals("pong", echoed(client, "pong"));
            assertEquals(2, runtime.inspector().inFlight().size(), () -> "in flight: " + runtime.inspector().inFlight());
            echo.disconnect();
            assertEquals(List.of(), runtime.inspector().inFlight());
            assertEquals(-1, client.read(ByteBuffer.allocate(1)), "the client was closed with its listener");
        }
    }

    private TaskInfo inFlight(String name) {
        return runtime.inspector().inFlight().stream().filter(task -> task.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no task '" + name + "' in " + runtime.inspector().inFlight()));
    }

    private static String echoed(SocketChannel client, String text) throws IOException {
        client.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer back = ByteBuffer.allocate(text.length());
        while (back.hasRemaining() && client.read(back) >= 0) {
            // blocking reads until the echo is whole
        }
        return new String(back.array(), 0, back.position(), StandardCharsets.US_ASCII);
    }

    private void afterTheDefaultContextsPendingEvents() throws Exception {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        runtime.defaultContext().post(() -> reached.complete(null));
        reached.get();
    }

    /** Runs {@code listen} on {@code operation} directly, as its DS component would be. */
    private CompletableFuture<Object> start(ListenOperation operation, EventContext context, String... arguments) {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        operation.start(task(context, outcome, arguments));
        return outcome;
    }

    private Task<OperationRequest, Object> task(EventContext context, CompletableFuture<Object> outcome,
            String... arguments) {
        OperationRequest request = new OperationRequest("listen", List.of(arguments), context, runtime.tasks());
        return runtime.tasks().<OperationRequest, Object>builder(request, done -> complete(done, outcome))
                .context(context)
                .create();
    }

    private static void complete(Task<OperationRequest, Object> done, CompletableFuture<Object> outcome) {
        Throwable error = done.propagateError();
        if (error != null) {
            outcome.completeExceptionally(error);
        } else {
            outcome.complete(done.result());
        }
    }

    private void roundTrip(SocketChannel client, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Loopback.writeFully(client, bytes);
        assertEquals(text, new String(Loopback.readFully(client, bytes.length), StandardCharsets.UTF_8));
    }

    private static boolean atEndOfStream(SocketChannel client) throws IOException {
        return client.read(ByteBuffer.allocate(1)) < 0;
    }

    @Test
    void isListedWithItsUsage() {
        OperationInfo info = runtime.operations().find("listen").orElseThrow();
        assertEquals("listen ADDRESS [BACKLOG]", info.usage());
        assertEquals(ListenOperation.class.getName(), info.provider());
    }

    @Test
    void echoesWhatAClientSendsAndPrintsTheBoundAddress() throws Exception {
        EchoListener echo = listen("127.0.0.1:0");
        InetSocketAddress address = (InetSocketAddress) echo.addresses().get(0);
        assertEquals("listening on 127.0.0.1:" + address.getPort(), echo.toString());
        assertTrue(echo.listener().isConnected());

        SocketChannel client = loopback.connect(address);
        roundTrip(client, "hello, listener");
        roundTrip(client, "and again");
        SocketChannel other = loopback.connect(address);
        roundTrip(other, "a second client");
        assertEquals(2, echo.clientCount());
    }

    @Test
    void echoesMoreThanTheSocketBuffersHold() throws Exception {
        EchoListener echo = listen("127.0.0.1:0", "4");
        SocketChannel client = loopback.connect(echo.addresses().get(0));
        byte[] sent = new byte[4 << 20];
        new Random(42).nextBytes(sent);

        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                Loopback.writeFully(client, sent);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        byte[] received = Loopback.readFully(client, sent.length);
        writer.get();

        assertArrayEquals(sent, received);
    }

    @Test
    void listensOnEveryAddressOfLocalhost() throws Exception {
        EchoListener echo = listen("localhost:0");
        assertTrue(echo.toString().startsWith("listening on 127.0.0.1:"), echo.toString());
        for (SocketAddress address : echo.addresses()) {
            roundTrip(loopback.connect(address), "via " + address);
        }
    }

    @Test
    void listensOnIpv6Loopback() throws Exception {
        assumeTrue(Loopback.ipv6Available(), "::1 cannot be bound here");
        EchoListener echo = listen("[::1]:0");
        int port = ((InetSocketAddress) echo.addresses().get(0)).getPort();
        assertEquals("listening on [::1]:" + port, echo.toString());
        roundTrip(loopback.connect(echo.addresses().get(0)), "over IPv6");
    }

    @Test
    void listensOnAUnixDomainSocket(@TempDir Path directory) throws Exception {
        Path path = directory.resolve("echo.sock");
        EchoListener echo = listen("unix:" + path);
        assertEquals("listening on unix:" + path, echo.toString());
        roundTrip(loopback.connect(UnixDomainSocketAddress.of(path)), "over a UNIX socket");
    }

    @Test
    void aClientsEndOfStreamClosesItsServerSide() throws Exception {
        EchoListener echo = listen("127.0.0.1:0");
        SocketChannel client = loopback.connect(echo.addresses().get(0));
        roundTrip(client, "bye");
        assertEquals(1, echo.clientCount());

        client.shutdownOutput();

        assertTrue(atEndOfStream(client), "the server closes its side in turn");
        Loopback.settle(runtime.defaultContext());
        assertEquals(0, echo.clientCount());
        assertTrue(echo.listener().isConnected(), "the listener goes on");
    }

    @Test
    void disconnectingTheResultEndsTheListenerAndItsClients() throws Exception {
        EchoListener echo = listen("127.0.0.1:0");
        SocketAddress address = echo.addresses().get(0);
        SocketChannel client = loopback.connect(address);
        roundTrip(client, "before");

        echo.disconnect();
        echo.disconnect();

        assertTrue(atEndOfStream(client));
        assertEquals(0, echo.clientCount());
        assertFalse(echo.listener().isConnected());
        assertEquals("disconnected from " + Addresses.format(address), echo.toString());
        Loopback.settle(runtime.defaultContext());
        assertThrows(ConnectException.class, () -> loopback.connect(address));
    }

    @Test
    void deactivationDisconnectsEveryListenerTheOperationOpened() throws Exception {
        ListenOperation operation = new ListenOperation();
        EventContext context = runtime.defaultContext();
        EchoListener first = (EchoListener) start(operation, context, "127.0.0.1:0").get();
        EchoListener second = (EchoListener) start(operation, context, "localhost:0").get();
        SocketChannel one = loopback.connect(first.addresses().get(0));
        SocketChannel two = loopback.connect(second.addresses().get(0));
        roundTrip(one, "one");
        roundTrip(two, "two");
        assertEquals(List.of(first, second), operation.listeners());

        operation.deactivate();

        assertTrue(atEndOfStream(one));
        assertTrue(atEndOfStream(two));
        assertEquals(List.of(), operation.listeners());
        assertFalse(first.listener().isConnected() || second.listener().isConnected());
        Loopback.settle(context);
        assertThrows(ConnectException.class, () -> loopback.connect(first.addresses().get(0)));
        // A stopped operation opens nothing more.
        ExecutionException late = assertThrows(ExecutionException.class,
                () -> start(operation, context, "127.0.0.1:0").get());
        assertInstanceOf(IllegalStateException.class, late.getCause());
        assertTrue(late.getCause().getMessage().startsWith("listen: the operation was stopped"));
        assertEquals(List.of(), operation.listeners());
    }

    @Test
    void closeAllDisconnectsAndKeepsTheOperationUsable() throws Exception {
        ListenOperation operation = new ListenOperation();
        EventContext context = runtime.defaultContext();
        EchoListener first = (EchoListener) start(operation, context, "127.0.0.1:0").get();
        SocketChannel client = loopback.connect(first.addresses().get(0));
        roundTrip(client, "x");

        operation.closeAll();

        assertTrue(atEndOfStream(client));
        assertFalse(first.listener().isConnected());
        EchoListener again = loopback.keep((EchoListener) start(operation, context, "127.0.0.1:0").get());
        assertEquals(List.of(again), operation.listeners());
        roundTrip(loopback.connect(again.addresses().get(0)), "still works");
    }

    @Test
    void aTaskCancelledBeforeItsCallbackDisconnectsItsListener() throws Exception {
        EventContext context = loopback.keep(runtime.contexts().create("cancel"));
        ListenOperation operation = new ListenOperation();
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Task<OperationRequest, Object> task = task(context, outcome, "127.0.0.1:0");
        operation.start(task);
        // The worker has opened the listener; its completion waits for the context.
        Loopback.spinUntil(() -> task.state() == TaskState.SCHEDULED);
        EchoListener opened = operation.listeners().get(0);
        SocketAddress address = opened.addresses().get(0);

        assertTrue(task.cancel(false, "test"));
        Loopback.iterateUntil(context, outcome::isDone);

        // The error as the callback saw it (get() wraps a CancellationException differently across JDKs).
        Throwable error = outcome.handle((result, failure) -> failure).get();
        TaskCancelledException cancelled = assertInstanceOf(TaskCancelledException.class, error);
        assertTrue(cancelled.getMessage().contains("test"), cancelled.getMessage());
        assertFalse(opened.listener().isConnected());
        assertEquals(List.of(), operation.listeners());
        Loopback.drain(context);
        assertThrows(ConnectException.class, () -> loopback.connect(address));
    }

    @Test
    void aBindFailureIsTheTasksError() throws Exception {
        EchoListener taken = listen("127.0.0.1:0");
        int port = ((InetSocketAddress) taken.addresses().get(0)).getPort();

        ExecutionException failure = assertThrows(ExecutionException.class, () -> listen("127.0.0.1:" + port));

        assertInstanceOf(java.net.BindException.class, failure.getCause());
        assertTrue(failure.getCause().getMessage().contains("127.0.0.1:" + port), failure.getCause().getMessage());
    }

    @Test
    void anUnknownHostIsTheTasksError() {
        ExecutionException failure = assertThrows(ExecutionException.class, () -> listen("nothing-here.invalid:0"));
        assertInstanceOf(java.net.UnknownHostException.class, failure.getCause());
        assertTrue(failure.getCause().getMessage().contains("nothing-here.invalid"));
    }
}
