package task.bench;

import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;

/**
 * One way of moving work off a single event thread ("the loop") and back:
 * ours or a peer. Every benchmark drives each peer through this interface
 * only, so they all pay the same harness cost.
 */
public interface Peer extends AutoCloseable {

    /** @return the peer's name as in the table */
    String name();

    /**
     * Runs {@code action} on the loop (the peer's own way of posting to it).
     *
     * @param action what to run
     */
    void onLoop(Runnable action);

    /**
     * One round trip, called on the loop: {@code work} runs on a worker, and
     * {@code callback} receives its result back on the loop.
     *
     * @param input the work's input
     * @param work the work, run on a worker thread
     * @param callback receives the result on the loop
     */
    void roundTrip(long input, LongUnaryOperator work, LongConsumer callback);

    /** @return whether the calling thread is the loop (for the smoke test's checks) */
    boolean onLoopThread();

    /** Stops the peer's threads. */
    @Override
    void close();
}
