package task.impl.runner;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The workers of a {@link WorkerPool} as its lock sees them: the stack of
 * parked workers, the list of live ones, and the threads of those that have
 * left but may not have ended yet.
 * <p>
 * Threading: every method runs under the pool's lock, except the two
 * counts, which are volatile so that producers and {@code activeCount} read
 * them without it.
 */
final class Roster {
    /** Written under the lock: the workers on the idle stack. */
    private volatile int idle;
    /** Written under the lock: the workers in the live list. */
    private volatile int live;
    /**
     * Written under the lock (copied on each change, which is rare: platform
     * threads are few and long-lived): the threads of the live platform
     * workers, which producers read without it.
     */
    private volatile Thread[] platformThreads = new Thread[0];
    /** The top of the stack of parked workers, linked by {@link Worker#nextIdle}. */
    private Worker idleTop;
    /** The head of the live workers, linked both ways so that a worker leaves in O(1). */
    private Worker liveHead;
    /**
     * Threads of workers (and of the starvation watch) that have left but may
     * still be running their last instructions, oldest first, so that stop() joins them too; the dead
     * ones are dropped as others leave.
     */
    private final ArrayDeque<Thread> leaving = new ArrayDeque<>();

    /** @return the workers on the idle stack now; any thread */
    int idle() {
        return idle;
    }

    /** @return the live workers now, platform and virtual overflow ones; any thread */
    int live() {
        return live;
    }

    /** @return the live platform workers now; any thread */
    int platformLive() {
        return platformThreads.length;
    }

    /** @return the threads of the live platform workers now, not to be modified; any thread */
    Thread[] platformThreads() {
        return platformThreads;
    }

    /** @param worker a live worker, not on the idle stack, to push on it */
    void pushIdle(Worker worker) {
        worker.nextIdle = idleTop;
        worker.parked = true;
        idleTop = worker;
        idle++;
    }

    /** @return the worker taken off the top of the idle stack, or null if it is empty */
    Worker popIdle() {
        Worker worker = idleTop;
        if (worker != null) {
            idleTop = worker.nextIdle;
            worker.nextIdle = null;
            worker.parked = false;
            idle--;
        }
        return worker;
    }

    /**
     * Takes a worker off the idle stack wherever it is: a short walk, the
     * stack holds at most the pool's hard cap of (platform) threads.
     *
     * @param worker a worker on the idle stack
     */
    void removeIdle(Worker worker) {
        if (idleTop == worker) {
            idleTop = worker.nextIdle;
        } else {
            Worker above = idleTop;
            while (above.nextIdle != worker) {
                above = above.nextIdle;
            }
            above.nextIdle = worker.nextIdle;
        }
        worker.nextIdle = null;
        worker.parked = false;
        idle--;
    }

    /** @param worker a new worker, to add to the live list */
    void add(Worker worker) {
        worker.nextLive = liveHead;
        if (liveHead != null) {
            liveHead.prevLive = worker;
        }
        liveHead = worker;
        live++;
        if (!worker.overflow) {
            Thread[] threads = Arrays.copyOf(platformThreads, platformThreads.length + 1);
            threads[threads.length - 1] = worker.thread;
            platformThreads = threads;
        }
    }

    /** @param worker a live worker whose thread never started, to take off the live list */
    void remove(Worker worker) {
        if (worker.prevLive != null) {
            worker.prevLive.nextLive = worker.nextLive;
        } else {
            liveHead = worker.nextLive;
        }
        if (worker.nextLive != null) {
            worker.nextLive.prevLive = worker.prevLive;
        }
        worker.prevLive = null;
        worker.nextLive = null;
        live--;
        if (!worker.overflow) {
            Thread[] threads = new Thread[platformThreads.length - 1];
            int kept = 0;
            for (Thread thread : platformThreads) {
                if (thread != worker.thread) {
                    threads[kept++] = thread;
                }
            }
            platformThreads = threads;
        }
    }

    /** @param worker a live worker leaving the pool: off the live list, its thread kept until seen dead */
    void leave(Worker worker) {
        remove(worker);
        left(worker.thread);
    }

    /** @param thread a thread of the pool that is ending (a worker's, the starvation watch's), kept until seen dead */
    void left(Thread thread) {
        while (!leaving.isEmpty() && !leaving.peekFirst().isAlive()) {
            leaving.pollFirst();
        }
        leaving.addLast(thread);
    }

    /** @param into receives the live workers that are not on the idle stack: running, spinning or about to park */
    void addUnparked(List<Worker> into) {
        for (Worker worker = liveHead; worker != null; worker = worker.nextLive) {
            if (!worker.parked) {
                into.add(worker);
            }
        }
    }

    /** @return the threads of the live workers and of those that left but may not have ended */
    List<Thread> threads() {
        List<Thread> threads = new ArrayList<>(leaving);
        for (Worker worker = liveHead; worker != null; worker = worker.nextLive) {
            threads.add(worker.thread);
        }
        return threads;
    }
}
