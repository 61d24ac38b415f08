package task.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;

/**
 * Runs round trips in one of two patterns until {@code total} have
 * completed. <b>Steady</b>: the loop starts {@code window} of them, and
 * each callback (on the loop) starts the next, so {@code window} stay in
 * flight. <b>Burst</b>: one event on the loop starts {@code window} at once;
 * each completion is its own event on the loop, and the last of a burst
 * posts the next burst as a new event, so the in-flight count goes from
 * {@code window} down to 0 in each burst. Every counter is confined to
 * the loop.
 */
final class Window implements LongConsumer {
    private final Peer peer;
    private final LongUnaryOperator work;
    private final boolean checkThread;
    private final boolean burst;
    private final Runnable start = this::start;

    private int window;
    private int total;
    private int issued;
    private int completed;
    /** Burst: round trips of the current burst not yet completed. */
    private int inBurst;
    private long seed;
    private long sink;
    private int offLoop;
    private CountDownLatch done;

    /**
     * @param burst the burst pattern; else the steady one
     */
    Window(Peer peer, LongUnaryOperator work, boolean checkThread, boolean burst) {
        this.peer = peer;
        this.work = work;
        this.checkThread = checkThread;
        this.burst = burst;
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
        int count = Math.min(window, total - issued);
        inBurst = count;
        for (int i = 0; i < count; i++) {
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
        } else if (burst) {
            if (--inBurst == 0) {
                peer.onLoop(start); // the next burst, as an event of its own
            }
        } else if (issued < total) {
            issue();
        }
    }
}
