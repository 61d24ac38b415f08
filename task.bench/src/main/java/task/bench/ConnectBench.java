package task.bench;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

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
 * Connect rate on loopback: one of {@link ConnectClients} (ours, Vert.x)
 * connects to the same server, the listener benchmark's NIO selector loop
 * ({@link AcceptServers}), which accepts and closes every client;
 * {@value #IN_FLIGHT} connects in flight, {@value #PER_INVOCATION} per call.
 * One operation is one connection made (and closed), so the score is
 * connections per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ConnectBench {
    public static final int IN_FLIGHT = 32;
    public static final int PER_INVOCATION = 1_000;

    @Param({ ConnectClients.OURS, ConnectClients.VERTX })
    public String client;

    /** Set by the smoke test: fewer connects per call. */
    public static volatile boolean smoke;

    private AcceptServers.Server server;
    private ConnectClients.Client connecting;

    @Setup
    public void setUp() {
        server = AcceptServers.start(AcceptServers.NIO);
        InetSocketAddress address = server.address();
        try {
            connecting = ConnectClients.start(client, address, IN_FLIGHT);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    @TearDown
    public void tearDown() {
        try {
            connecting.close();
        } finally {
            server.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(PER_INVOCATION)
    public void connects() throws Exception {
        connecting.connect(smoke ? 50 : PER_INVOCATION);
    }
}
