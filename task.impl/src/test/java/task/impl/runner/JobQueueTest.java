package task.impl.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

import task.impl.TestSupport;

/**
 * The pool's queue across its two parts: the array while it has room, the
 * overflow behind it. One producer's jobs come out in order across the
 * switch, and with many producers and consumers each job is taken exactly
 * once.
 */
class JobQueueTest {
    /** A job that only carries its number. */
    private record Numbered(int number) implements Runnable {
        @Override
        public void run() {
        }
    }

    @Test
    void oneProducersJobsComeOutInOrderThroughTheArrayAndTheOverflow() {
        JobQueue queue = new JobQueue();
        int jobs = 3 * JobQueue.ARRAY_CAPACITY;
        int taken = 0;
        for (int i = 0; i < jobs; i++) {
            queue.offer(new Numbered(i));
            if (i % 3 == 0) {
                // Take some while offering, so that the array has room again
                // while the overflow still holds jobs: they must stay behind.
                assertEquals(taken++, ((Numbered) queue.poll()).number());
            }
        }
        assertEquals(jobs - taken, queue.size());
        for (; taken < jobs; taken++) {
            assertEquals(taken, ((Numbered) queue.poll()).number());
        }
        assertNull(queue.poll());
        assertTrue(queue.isEmpty());
    }

    @Test
    void manyProducersAndConsumersTakeEachJobOnce() {
        JobQueue queue = new JobQueue();
        int producers = 2;
        int perProducer = 20_000; // 40,000 in all, ten times the array: the overflow is used while consumers fall behind
        int total = producers * perProducer;
        AtomicIntegerArray seen = new AtomicIntegerArray(total);
        AtomicInteger taken = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Void>> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int first = p * perProducer;
            threads.add(CompletableFuture.runAsync(() -> {
                TestSupport.await(start);
                for (int i = 0; i < perProducer; i++) {
                    queue.offer(new Numbered(first + i));
                }
            }, runnable -> new Thread(runnable).start()));
        }
        for (int c = 0; c < 2; c++) {
            threads.add(CompletableFuture.runAsync(() -> {
                TestSupport.await(start);
                int[] lastOf = new int[producers];
                Arrays.fill(lastOf, -1);
                while (taken.get() < total) {
                    Runnable job = queue.poll();
                    if (job != null) {
                        int number = ((Numbered) job).number();
                        seen.incrementAndGet(number);
                        int producer = number / perProducer;
                        // Each consumer sees each producer's jobs in increasing order.
                        assertTrue(number > lastOf[producer], () -> "job " + number + " after " + lastOf[producer]);
                        lastOf[producer] = number;
                        taken.incrementAndGet();
                    } else {
                        Thread.yield(); // on a loaded machine, leave the core to the producers
                    }
                }
            }, runnable -> new Thread(runnable).start()));
        }
        start.countDown();
        threads.forEach(TestSupport::get);
        for (int i = 0; i < total; i++) {
            assertEquals(1, seen.get(i), "times job " + i + " was taken");
        }
        assertTrue(queue.isEmpty());
    }
}
