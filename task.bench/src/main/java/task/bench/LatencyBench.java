package task.bench;

import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Single-task round-trip latency, one task at a time: the benchmark thread
 * posts "submit" to the loop (the peer's own post), the loop submits the
 * round trip, the callback on the loop publishes the result, and the
 * benchmark thread, spinning, sees it. JMH sample mode gives the
 * distribution (median, p99). The hop into the loop is the same kind of
 * post as the completion's, so every peer pays its own loop's wake-up once
 * more; the benchmark thread spins (and yields), so no wake-up is paid on the way out.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LatencyBench {
    @Param({ Peers.OURS, Peers.OURS_VIRTUAL, Peers.JDK, Peers.CF, Peers.PROMISE, Peers.VERTX })
    public String peer;

    private Peer running;
    private Runnable submit;
    private long expected;
    private long seed;
    /** Written by the loop only. */
    private volatile long completed;
    private volatile long sink;
    private volatile boolean offLoop;

    @Setup
    public void setUp() {
        running = Peers.start(peer, Peers.workers());
        boolean check = ThroughputBench.smoke;
        LongConsumer callback = result -> {
            if (check && !running.onLoopThread()) {
                offLoop = true;
            }
            sink = result;
            completed = completed + 1;
        };
        submit = () -> running.roundTrip(seed++, Work.ARITHMETIC, callback);
    }

    @TearDown
    public void tearDown() {
        running.close();
        if (offLoop) {
            throw new IllegalStateException(peer + ": a callback ran off the loop");
        }
    }

    @Benchmark
    public long roundTrip() {
        long target = ++expected;
        running.onLoop(submit);
        int spins = 0;
        long deadline = 0;
        while (completed != target) {
            // Spin briefly, then yield: on two cores a pure spinner would
            // compete with the loop and the worker for the CPU.
            if (spins < 256) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
            if (++spins == 1 << 20) {
                spins = 0;
                long now = System.nanoTime();
                if (deadline == 0) {
                    deadline = now + TimeUnit.SECONDS.toNanos(30);
                } else if (now - deadline > 0) {
                    throw new IllegalStateException(peer + ": a round trip did not complete in 30 s");
                }
            }
        }
        return sink;
    }
}
