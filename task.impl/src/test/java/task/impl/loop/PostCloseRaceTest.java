package task.impl.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.Priority;
import task.impl.TestSupport;

/**
 * The close race of {@link EventLoop} (see its class comment), under load:
 * producers post while the loop closes, and every event is run or rejected,
 * exactly once. The loop is held by a blocking event while the producers
 * post, so the backlog crosses chunks of the posted-event queue (an offer
 * that links a chunk is the one the queue publishes with a release store
 * only); the close comes at a random point, before or after the loop is let
 * go. Half the events are posted with {@code post} (the handle's own claim),
 * half with {@code postClaimed} (the event's claim, as task completions do).
 * Again with priorities: the events then go, by turns, to the default queue
 * and to the second one, above and below the default, which the drain
 * reads too.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES) // a hang guard; the rounds take a few seconds
class PostCloseRaceTest {
    private static final int ROUNDS = 200;
    private static final int PRODUCERS = 2;
    /** Events per producer and round at most: several chunks of the queue. */
    private static final int POSTS = 4_000;

    /** The priorities of the prioritized rounds, by turns. */
    private static final int[] PRIORITIES = { Priority.HIGH, Priority.DEFAULT, Priority.LOW };

    @Test
    void everyEventPostedWhileTheLoopClosesRunsOrIsRejectedExactlyOnce() throws Exception {
        race(new SplittableRandom(20261202), false);
    }

    @Test
    void everyPrioritizedEventPostedWhileTheLoopClosesRunsOrIsRejectedExactlyOnce() throws Exception {
        race(new SplittableRandom(20270104), true);
    }

    private static void race(SplittableRandom random, boolean prioritized) throws Exception {
        long posted = 0;
        long rejected = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long[] counts = round(round, random.split(), prioritized);
            posted += counts[0];
            rejected += counts[1];
        }
        assertTrue(posted > 0 && rejected > 0, "the rounds posted " + posted + " and rejected " + rejected
                + " events: the close must have raced some posts");
    }

    /** @return the events posted and the events rejected in this round */
    private static long[] round(int round, SplittableRandom random, boolean prioritized) throws Exception {
        RecordingReporter reporter = new RecordingReporter();
        EventLoop loop = EventLoop.started("race-" + round, reporter, true,
                Duration.ofSeconds(TestSupport.GUARD_SECONDS));
        CountDownLatch gate = new CountDownLatch(1);
        loop.post(() -> TestSupport.await(gate));
        AtomicIntegerArray outcomes = new AtomicIntegerArray(PRODUCERS * POSTS); // runs + rejections, per event
        AtomicIntegerArray rejectedAt = new AtomicIntegerArray(PRODUCERS); // per producer: its first rejected event
        AtomicLong postedSoFar = new AtomicLong();
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            int producer = p;
            rejectedAt.set(producer, -1);
            Thread thread = new Thread(() -> {
                for (int i = producer * POSTS; i < (producer + 1) * POSTS; i++) {
                    if (!post(loop, i, outcomes, prioritized ? PRIORITIES[(i / 2) % PRIORITIES.length]
                            : Priority.DEFAULT)) {
                        rejectedAt.set(producer, i);
                        return;
                    }
                    postedSoFar.incrementAndGet();
                }
            }, "race-producer-" + p);
            thread.start();
            producers.add(thread);
        }
        long closeAfter = random.nextLong(PRODUCERS * POSTS);
        boolean releaseFirst = random.nextBoolean();
        while (postedSoFar.get() < closeAfter && producers.stream().anyMatch(Thread::isAlive)) {
            Thread.onSpinWait();
        }
        if (releaseFirst) {
            gate.countDown(); // the loop drains while the producers post, then closes
        }
        loop.startShutdown();
        gate.countDown(); // (or) the loop drains a backlog of chunks that posts still join
        loop.awaitTermination(System.nanoTime() + TimeUnit.SECONDS.toNanos(TestSupport.GUARD_SECONDS));
        for (Thread thread : producers) {
            thread.join(TimeUnit.SECONDS.toMillis(TestSupport.GUARD_SECONDS));
            assertFalse(thread.isAlive(), thread.getName() + " did not end");
        }
        assertTrue(loop.isClosed());
        assertEquals(List.of(), reporter.warnings, "round " + round);
        long rejected = 0;
        for (int p = 0; p < PRODUCERS; p++) {
            // A producer stops at its first rejection: its later events were never posted.
            int last = rejectedAt.get(p) < 0 ? (p + 1) * POSTS - 1 : rejectedAt.get(p);
            rejected += rejectedAt.get(p) < 0 ? 0 : 1;
            for (int i = p * POSTS; i < (p + 1) * POSTS; i++) {
                assertEquals(i <= last ? 1 : 0, outcomes.get(i), "round " + round + ", event " + i
                        + " (producer " + p + " rejected at " + rejectedAt.get(p) + "): runs plus rejections");
            }
        }
        return new long[] {postedSoFar.get(), rejected};
    }

    /**
     * Posts event {@code i} at {@code priority}, by post or postClaimed by its parity; a run or
     * a rejection adds one to its outcome (for postClaimed, whichever claims
     * it first: a post that races the close may be both drained and rejected).
     *
     * @return false if it was rejected
     */
    private static boolean post(EventLoop loop, int i, AtomicIntegerArray outcomes, int priority) {
        if (i % 2 == 0) {
            try {
                loop.post(() -> outcomes.incrementAndGet(i), priority);
                return true;
            } catch (RejectedExecutionException closed) {
                outcomes.incrementAndGet(i);
                return false;
            }
        }
        AtomicBoolean claim = new AtomicBoolean();
        Runnable once = () -> {
            if (claim.compareAndSet(false, true)) {
                outcomes.incrementAndGet(i);
            }
        };
        try {
            loop.postClaimed(once, priority);
            return true;
        } catch (RejectedExecutionException closed) {
            once.run();
            return false;
        }
    }
}
