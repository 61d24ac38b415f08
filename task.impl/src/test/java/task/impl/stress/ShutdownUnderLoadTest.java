package task.impl.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.LogRecord;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCancelledException;
import task.api.TaskState;
import task.impl.TaskRuntime;
import task.impl.TestSupport;
import task.testing.LogCapture;
import task.testing.Problems;
import task.testing.StressMode;

/**
 * Issue 4, "Shutdown under load" (plain Java): with workers blocked, workers
 * queued behind them, completions piled up on plugged contexts, direct tasks
 * never completed, cancelled tasks whose early completion waits, threads in
 * waitThread, and tasks whose completion reaches an already closed context,
 * the test closes the started contexts and then the runtime. Every task ends
 * (its callback exactly once, or disposed with none), every cleanup runs
 * exactly once by the time close() returns, no callback runs after it, no
 * thread of ours survives it, and nothing stays in flight. Several rounds
 * per runner mode, each on a fresh runtime.
 */
class ShutdownUnderLoadTest {
    private static final int ROUNDS = StressMode.count(50, 2000);
    private static final int TASKS = 1500;
    private static final int WAITERS = 16;
    private static final int PLATFORM_THREADS = 4;
    /** Hang guard only. */
    private static final long GUARD_SECONDS = 30;

    enum Kind {
        BLOCKED, QUICK, DIRECT_PENDING, DIRECT_ON_CONTEXT, CANCELLED_BLOCKED, WAITED, LATE
    }

    @ParameterizedTest(name = "virtualThreads={0}")
    @ValueSource(booleans = {false, true})
    void closingUnderLoadEndsEveryTask(boolean virtualThreads) throws Exception {
        long seed = StressMode.seed();
        long start = System.nanoTime();
        System.out.println("[stress] ShutdownUnderLoadTest virtualThreads=" + virtualThreads + " seed=" + seed);
        Map<Long, String> threadsBefore = OurThreads.live();
        long[] totals = new long[4];
        for (int r = 0; r < ROUNDS; r++) {
            new Round(new SplittableRandom(seed + r), r).run(virtualThreads, threadsBefore, totals);
        }
        StressMode.summary("ShutdownUnderLoadTest virtualThreads=" + virtualThreads, ROUNDS + " rounds x " + TASKS
                + " tasks: callbacks " + totals[0] + ", disposed without callback " + totals[1]
                + ", closed-context disposals logged " + totals[2] + ", waiters " + totals[3], seed, start);
    }

    private static final class Round {
        final SplittableRandom random;
        final int number;
        final Problems problems = new Problems();
        final AtomicIntegerArray callbacks = new AtomicIntegerArray(TASKS);
        final AtomicIntegerArray callbackCleanups = new AtomicIntegerArray(TASKS);
        final AtomicIntegerArray workerCleanups = new AtomicIntegerArray(TASKS);
        final AtomicIntegerArray resultSets = new AtomicIntegerArray(TASKS);
        final AtomicIntegerArray resultCleanups = new AtomicIntegerArray(TASKS);
        final AtomicInteger blockedStarted = new AtomicInteger();
        /** Including cancelled ones that started before their cancel: they hold a pool thread too. */
        final AtomicInteger anyBlockedStarted = new AtomicInteger();
        final AtomicLong contextClosedLogs = new AtomicLong();
        final CountDownLatch gate = new CountDownLatch(1); // never opened: blocked workers end by interrupt
        final CountDownLatch plug = new CountDownLatch(1);
        volatile boolean closed;

        Round(SplittableRandom random, int number) {
            this.random = random;
            this.number = number;
        }

        void logged(LogRecord record) {
            String message = String.valueOf(record.getMessage());
            if (message.contains("is closed; the task is disposed without its callback")) {
                contextClosedLogs.incrementAndGet();
            } else if (message.contains("dropped without ever finishing")
                    || message.contains("more tasks were dropped the same way")) {
                // The round closes while tasks it created wait for a complete()
                // that never comes: reported as dropped, as it should be.
                return;
            } else {
                problems.add("unexpected log record: " + record.getLevel() + " " + message + " " + record.getThrown());
            }
        }

        void run(boolean virtualThreads, Map<Long, String> threadsBefore, long[] totals) throws Exception {
            TaskRuntime runtime;
            List<Task<Integer, Integer>> tasks = new ArrayList<>();
            Kind[] kinds = new Kind[TASKS];
            EventContext[] contexts = new EventContext[TASKS];
            List<Thread> waiters = new ArrayList<>();
            try (LogCapture ignored = new LogCapture(this::logged, "task.runtime")) {
                runtime = TestSupport.runtime(virtualThreads, PLATFORM_THREADS);
                EventContext[] started = {runtime.contexts().start("task-shut-a"),
                        runtime.contexts().start("task-shut-b"), runtime.contexts().start("task-shut-c")};
                EventContext[] all = {runtime.defaultContext(), started[0], started[1], started[2]};
                for (EventContext context : started) {
                    context.post(() -> awaitQuietly(plug)); // completions pile up behind this
                }
                int blocked = 0;
                List<Integer> late = new ArrayList<>();
                for (int i = 0; i < TASKS; i++) {
                    Kind kind = pick(waiters.size());
                    kinds[i] = kind;
                    EventContext context = kind == Kind.LATE ? started[random.nextInt(3)]
                            : all[random.nextInt(all.length)];
                    contexts[i] = context;
                    int index = i;
                    Task<Integer, Integer> task = runtime.tasks().<Integer, Integer>builder(index, t -> onCallback(index, t))
                            .cleanup(() -> once(callbackCleanups, index, "callback cleanup")).context(context).create();
                    tasks.add(task);
                    Runnable workerCleanup = () -> once(workerCleanups, index, "worker cleanup");
                    switch (kind) {
                    case BLOCKED:
                    case CANCELLED_BLOCKED:
                    case WAITED:
                        boolean counted = kind != Kind.CANCELLED_BLOCKED;
                        blocked += counted ? 1 : 0;
                        task.runInThread(t -> {
                            if (counted) {
                                blockedStarted.incrementAndGet();
                            }
                            anyBlockedStarted.incrementAndGet();
                            resultSets.incrementAndGet(index);
                            t.setResult(index, r -> resultCleanups.incrementAndGet(index));
                            gate.await(); // ends by InterruptedException, the task's error
                        }, workerCleanup, context);
                        if (kind == Kind.CANCELLED_BLOCKED && !task.cancel(false, "shutdown test")) {
                            problems.add("#" + i + ": cancel of a queued or running task returned false");
                        }
                        if (kind == Kind.WAITED) {
                            Thread waiter = new Thread(() -> {
                                try {
                                    task.waitThread();
                                    if (!task.isCancelled() || task.state() != TaskState.FINISHED) {
                                        problems.add("#" + index + ": waitThread returned on " + task.state());
                                    }
                                } catch (Throwable thrown) {
                                    problems.add("#" + index + ": waitThread threw " + thrown);
                                }
                            }, "shutdown-waiter-" + i);
                            waiters.add(waiter);
                            waiter.start();
                        }
                        break;
                    case QUICK:
                        task.runInThread(t -> {
                            resultSets.incrementAndGet(index);
                            t.setResult(index, r -> resultCleanups.incrementAndGet(index));
                        }, workerCleanup, context);
                        break;
                    case DIRECT_PENDING:
                        break;
                    case DIRECT_ON_CONTEXT:
                        context.post(task::complete);
                        break;
                    case LATE:
                        late.add(i); // started after its context closed
                        break;
                    default:
                        throw new AssertionError(kind);
                    }
                }
                // Every blocked worker runs (virtual threads), or the pool is full of them.
                int allBlocked = blocked;
                boolean pool = !runtime.runner().usesVirtualThreads();
                TestSupport.spinUntil(() -> blockedStarted.get() == allBlocked
                        || (pool && anyBlockedStarted.get() >= PLATFORM_THREADS));
                plug.countDown();
                for (EventContext context : started) {
                    context.close();
                    assertTrue(context.isClosed());
                }
                for (int i : late) {
                    int index = i;
                    // Its context is closed: the worker runs, its completion is refused, the task is disposed.
                    tasks.get(i).runInThread(t -> {
                        resultSets.incrementAndGet(index);
                        t.setResult(index, r -> resultCleanups.incrementAndGet(index));
                    }, () -> once(workerCleanups, index, "worker cleanup"), contexts[i]);
                }
                runtime.close();
                closed = true;
                // Every cleanup has run when close() returns: checked at once, no waiting.
                for (int i = 0; i < TASKS; i++) {
                    Task<Integer, Integer> task = tasks.get(i);
                    Kind kind = kinds[i];
                    String what = "round " + number + " task #" + i + " " + kind + " (" + task.state() + ")";
                    int calls = callbacks.get(i);
                    check(callbackCleanups.get(i) == 1, what, "callback cleanups " + callbackCleanups.get(i));
                    check(workerCleanups.get(i) == (kind == Kind.DIRECT_PENDING || kind == Kind.DIRECT_ON_CONTEXT ? 0 : 1),
                            what, "worker cleanups " + workerCleanups.get(i));
                    check(resultCleanups.get(i) == resultSets.get(i), what,
                            "results " + resultSets.get(i) + ", cleaned " + resultCleanups.get(i));
                    check(task.state() == TaskState.FINISHED, what, "not finished");
                    switch (kind) {
                    case BLOCKED:
                    case WAITED:
                    case DIRECT_PENDING:
                    case LATE:
                        check(calls == 0 && task.isCancelled(), what, "callbacks " + calls);
                        break;
                    case CANCELLED_BLOCKED:
                        // Its early completion was drained when its started context closed; on the
                        // default context, close() may dispose it before the context got to it.
                        check(contexts[i] == runtime.defaultContext() ? calls <= 1 : calls == 1, what,
                                "callbacks " + calls);
                        break;
                    default: // QUICK, DIRECT_ON_CONTEXT: completed on a context, or disposed
                        check(calls == 1 ? !task.isCancelled() : calls == 0 && task.isCancelled(), what,
                                "callbacks " + calls + ", cancelled " + task.isCancelled());
                    }
                    totals[0] += calls;
                    totals[1] += calls == 0 ? 1 : 0;
                }
                for (Thread waiter : waiters) {
                    waiter.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
                    if (waiter.isAlive()) {
                        fail("round " + number + ": " + waiter.getName() + " still in waitThread after close");
                    }
                }
                totals[3] += waiters.size();
                assertEquals(List.of(), runtime.inspector().inFlight(), "in flight after close");
                OurThreads.assertBackTo(threadsBefore, "round " + number + " after close");
            }
            totals[2] += contextClosedLogs.get();
            problems.assertNone("round " + number);
        }

        private Kind pick(int waitersSoFar) {
            int roll = random.nextInt(100);
            if (roll < 15) {
                return Kind.BLOCKED;
            } else if (roll < 55) {
                return Kind.QUICK;
            } else if (roll < 65) {
                return Kind.DIRECT_PENDING;
            } else if (roll < 80) {
                return Kind.DIRECT_ON_CONTEXT;
            } else if (roll < 90) {
                return Kind.CANCELLED_BLOCKED;
            } else if (roll < 92 && waitersSoFar < WAITERS) {
                return Kind.WAITED;
            }
            return Kind.LATE;
        }

        private void onCallback(int index, Task<Integer, Integer> task) {
            if (closed) {
                problems.add("#" + index + ": callback after the runtime closed");
            }
            once(callbacks, index, "callback");
            Throwable error = task.propagateError();
            if (error != null && !(error instanceof TaskCancelledException)) {
                problems.add("#" + index + ": callback saw " + error);
            }
        }

        private void once(AtomicIntegerArray counts, int index, String what) {
            if (counts.incrementAndGet(index) != 1) {
                problems.add("#" + index + ": " + what + " ran more than once");
            }
        }

        private void check(boolean condition, String what, String problem) {
            if (!condition) {
                problems.add(what + ": " + problem);
            }
        }

        private static void awaitQuietly(CountDownLatch latch) {
            try {
                if (!latch.await(GUARD_SECONDS, TimeUnit.SECONDS)) {
                    throw new AssertionError("plug never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
