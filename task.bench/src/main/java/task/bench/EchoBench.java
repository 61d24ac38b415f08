package task.bench;

import java.io.IOException;
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
 * Echo on loopback: one of {@link EchoServers} (ours, Netty, Vert.x), each
 * on one event-loop thread, and {@code clients} connections to it driven by
 * {@link EchoLoad} on the benchmark's thread.
 * <ul>
 * <li>{@link #stream}: bulk throughput; each connection keeps up to
 * {@value #WINDOW} bytes unanswered. One operation is one megabyte
 * (10^6 bytes) echoed, so the score is MB/s.</li>
 * <li>{@link #requests}: request/response; each connection sends one
 * {@value #MESSAGE}-byte message and waits for it before the next. One
 * operation is one message echoed, so the score is messages per second.</li>
 * </ul>
 * The connections are opened once per trial (in {@link #setUp}), so the
 * scores count echoing only; the connect rate is {@link ConnectBench}'s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EchoBench {
    public static final int WINDOW = 256 * 1024;
    public static final int MESSAGE = 64;
    static final int MEGABYTES_PER_CALL = 32;
    static final int MESSAGES_PER_CALL = 10_000;

    @Param({ EchoServers.OURS, EchoServers.NETTY, EchoServers.VERTX })
    public String server;

    @Param({ "1", "100" })
    public int clients;

    /** Set by the smoke test: less data per call, and every byte checked. */
    public static volatile boolean smoke;

    private EchoServers.Server running;
    private EchoLoad load;

    @Setup
    public void setUp() throws Exception {
        running = EchoServers.start(server);
        try {
            load = new EchoLoad(running.address(), clients);
        } catch (IOException | RuntimeException e) {
            running.close();
            throw e;
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        try {
            load.close();
        } finally {
            running.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(MEGABYTES_PER_CALL)
    public long stream() throws IOException {
        long megabytes = smoke ? 1 : MEGABYTES_PER_CALL;
        return load.stream(megabytes * 1_000_000, WINDOW, smoke);
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES_PER_CALL)
    public long requests() throws IOException {
        return load.requests(smoke ? 2 * clients : MESSAGES_PER_CALL, MESSAGE, smoke);
    }
}
