package task.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Listener accept rate on loopback: {@value #CLIENT_THREADS} client threads
 * connect to 127.0.0.1 and close, {@value #PER_INVOCATION} connections per
 * call in all, and the call ends when the server side has accepted (and
 * closed) every one of them. One operation is one accepted connection, so
 * the score is connections per second. The server side is one of
 * {@link AcceptServers}: ours (a {@code NetListener}), a blocking
 * {@code ServerSocket} loop, or an NIO selector loop; the client load is the
 * same for all three.
 * <p>
 * Clients close with {@code SO_LINGER 0} (a reset, no TIME_WAIT): at tens of
 * thousands of connections a second, TIME_WAIT on the clients' side would
 * exhaust the ephemeral ports of 127.0.0.1 within seconds. Linux still
 * queues, and accept returns, a connection reset after its handshake. Every
 * wait is bounded ({@value #TIMEOUT_SECONDS} s): a lost connection fails
 * the benchmark instead of hanging it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ListenerBench {
    public static final int CLIENT_THREADS = 2;
    public static final int PER_INVOCATION = 1_000;
    static final int TIMEOUT_SECONDS = 30;
    static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    @Param({ AcceptServers.OURS, AcceptServers.SERVER_SOCKET, AcceptServers.NIO })
    public String server;

    /** Set by the smoke test: fewer connections per call. */
    public static volatile boolean smoke;

    private AcceptServers.Server running;
    private ExecutorService clients;
    private InetSocketAddress address;
    private int perInvocation;

    @Setup
    public void setUp() {
        running = AcceptServers.start(server);
        address = running.address();
        clients = Executors.newFixedThreadPool(CLIENT_THREADS, task -> {
            Thread thread = new Thread(task, "bench-client");
            thread.setDaemon(true);
            return thread;
        });
        perInvocation = smoke ? 50 : PER_INVOCATION;
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        clients.shutdownNow();
        clients.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        running.close();
    }

    @Benchmark
    @OperationsPerInvocation(PER_INVOCATION)
    public long accepts() throws Exception {
        return connect(running, address, clients, CLIENT_THREADS, perInvocation);
    }

    /**
     * Opens and closes {@code count} connections to {@code address} from
     * {@code threads} tasks of {@code clients}, and waits until the server
     * has accepted them all.
     *
     * @return the server's total accepted so far
     */
    static long connect(AcceptServers.Server server, InetSocketAddress address, ExecutorService clients,
            int threads, int count) throws Exception {
        CountDownLatch accepted = server.expect(count);
        List<Future<?>> running = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            int share = count / threads + (t < count % threads ? 1 : 0);
            running.add(clients.submit(() -> {
                for (int i = 0; i < share; i++) {
                    connectAndClose(address);
                }
                return null;
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        for (Future<?> client : running) {
            try {
                client.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                running.forEach(f -> f.cancel(true));
                throw new IllegalStateException("clients failed or timed out", e);
            }
        }
        if (!accepted.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("server accepted " + server.acceptedSoFar() + " connections, expected "
                    + count + " more within " + TIMEOUT_SECONDS + " s");
        }
        return server.acceptedSoFar();
    }

    private static void connectAndClose(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoLinger(true, 0);
            socket.connect(address, CONNECT_TIMEOUT_MILLIS);
        }
    }
}
