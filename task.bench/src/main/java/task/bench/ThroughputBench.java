package task.bench;

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
 * Round-trip throughput with {@value #IN_FLIGHT} round trips in flight,
 * until {@value #PER_INVOCATION} have completed, in two patterns
 * ({@link Window}): {@code steady}, where each callback, on the loop,
 * starts the next, so {@value #IN_FLIGHT} stay in flight; and
 * {@code burst}, where one event on the loop starts {@value #IN_FLIGHT} at
 * once, each completion is its own event back on the loop, and the last
 * one of a burst posts the next. One operation is one round trip (work to
 * a worker, result back to the loop, callback). Run with {@code -prof gc}
 * for the allocation per round trip.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ThroughputBench {
    public static final int IN_FLIGHT = 1_000;
    public static final int PER_INVOCATION = 20_000;

    @Param({ Peers.OURS, Peers.OURS_VIRTUAL, Peers.JDK, Peers.CF, Peers.PROMISE, Peers.VERTX })
    public String peer;

    @Param({ "steady", "burst" })
    public String pattern;

    /** Set by the smoke test: fewer round trips per call, callback threads checked. */
    public static volatile boolean smoke;

    private Peer running;
    private Window window;
    private int perInvocation;

    @Setup
    public void setUp() {
        running = Peers.start(peer, Peers.workers());
        window = new Window(running, Work.ARITHMETIC, smoke, "burst".equals(pattern));
        perInvocation = smoke ? 2 * IN_FLIGHT : PER_INVOCATION;
    }

    @TearDown
    public void tearDown() {
        running.close();
    }

    @Benchmark
    @OperationsPerInvocation(PER_INVOCATION)
    public long roundTrips() throws InterruptedException {
        return window.run(IN_FLIGHT, perInvocation, 60);
    }
}
