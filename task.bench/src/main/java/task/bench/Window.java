package task.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;

/**
 * Keeps a fixed number of round trips in flight: the loop starts
 * {@code window} of them, and each callback (on the loop) starts the next
 * until {@code total} have completed. Every counter is confined to the loop.
 */
final class Window implements LongConsumer {
    private final Peer peer;
    private final LongUnaryOperator work;
    private final boolean checkThread;
    private final Runnable start = this::start;

    private int window;
    private int total;
    private int issued;
    private int completed;
    private long seed;
    private long sink;
    private int offLoop;
    private CountDownLatch done;

    Window(Peer peer, LongUnaryOperator work, boolean checkThread) {
        this.peer = peer;
        this.work = work;
        this.checkThread = checkThread;
    }

    /**
     * Runs {@code total} round trips with {@code window} in flight and waits for them all.
     *
     * @return a value depending on every result (for JMH's dead-code elimination)
     */
    long run(int window, int total, long timeoutSeconds) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        this.window = window;
        this.total = total;
        this.issued = 0;
        this.completed = 0;
        this.done = latch;
        peer.onLoop(start); // the executor's queue publishes the fields above to the loop
        if (!latch.await(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException(peer.name() + ": round trips did not complete in " + timeoutSeconds + " s");
        }
        if (offLoop != 0) {
            throw new IllegalStateException(peer.name() + ": " + offLoop + " callbacks ran off the loop");
        }
        return sink;
    }

    private void start() {
        for (int i = 0; i < window && issued < total; i++) {
            issue();
        }
    }

    private void issue() {
        issued++;
        peer.roundTrip(seed++, work, this);
    }

    /** A callback, on the loop. */
    @Override
    public void accept(long result) {
        if (checkThread && !peer.onLoopThread()) {
            offLoop++;
        }
        sink += result;
        if (++completed == total) {
            done.countDown();
        } else if (issued < total) {
            issue();
        }
    }
}
