package task.impl.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
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
import task.api.TaskWorker;
import task.impl.TaskRuntime;
import task.impl.TestSupport;
import task.impl.stress.Booms.CallbackBoom;
import task.impl.stress.Booms.WorkerAssertionError;
import task.impl.stress.Booms.WorkerFailure;
import task.testing.LogCapture;
import task.testing.Problems;
import task.testing.StressMode;

/**
 * Issue 4, "Stress": a million tasks (short mode; 20 million in the long
 * mode) over the default context, three started contexts and the runner,
 * each with a seeded random plan: an outcome of its worker (result with a
 * cleanup, setError, a checked exception, an Error, nothing), whether its
 * callback throws, and how it is driven (plain, cancelled before / racing /
 * during its worker, disposed before / racing / during its worker, cancelled
 * or disposed before runInThread and then waited for, waitThread from
 * outside or from inside another task's callback on a context, waitThread
 * racing a cancel from a context, direct tasks completed with complete()
 * here or on a context, or racing a cancel or dispose). Every callback and every cleanup is counted
 * per task and must have run exactly once (zero callbacks exactly where a
 * dispose returned true); the error each callback saw must be the very
 * throwable of its plan, or a TaskCancelledException where a cancel returned
 * true; every throwing callback is reported to the log exactly once or
 * rethrown to the waiter or completer exactly once. At most a few thousand
 * tasks are in flight. Afterwards nothing is in flight, no thread of ours
 * survives the runtime, and the heap is back near where it started.
 * <p>
 * The plan of task {@code i} is a pure function of the seed and {@code i};
 * {@code -Dtask.stress.seed=N} replays a run.
 */
class TaskStressTest {
    private static final int TASKS_PER_ROUND = 1_000_000;
    /** Rounds at least; the long mode then goes on until {@link #LONG_MINUTES} have passed. */
    private static final int ROUNDS = StressMode.count(1, 20);
    /** Per runner mode: two modes make the stress part of the soak at least ten minutes. */
    private static final long LONG_MINUTES = 5;
    private static final int SUBMITTERS = 4;
    private static final int IN_FLIGHT = 4096;
    private static final int PLATFORM_THREADS = 16;
    private static final long HEAP_MARGIN = 32L << 20;
    /** Hang guards only. */
    private static final long GUARD_SECONDS = 60;
    private static final long ROUND_GUARD_MINUTES = 10;

    enum Mode {
        PLAIN(30), CANCEL_BEFORE(5), CANCEL_RACE(7), CANCEL_DURING(3), DISPOSE_BEFORE(4), DISPOSE_DURING(3),
        DISPOSE_RACE(6), WAIT_OUTSIDE(6), WAIT_INSIDE(4), CANCEL_WAITED(4), DIRECT(8), DIRECT_ON_CONTEXT(5),
        DIRECT_RACE(5);

        final int weight;

        Mode(int weight) {
            this.weight = weight;
        }

        boolean threaded() {
            return this != DIRECT && this != DIRECT_ON_CONTEXT && this != DIRECT_RACE;
        }
    }

    enum Outcome {
        RESULT, NOTHING, SET_ERROR, THROW_CHECKED, THROW_ERROR;

        boolean failing() {
            return this == SET_ERROR || this == THROW_CHECKED || this == THROW_ERROR;
        }
    }

    private static final Mode[] MODE_TABLE;

    static {
        List<Mode> table = new ArrayList<>();
        for (Mode mode : Mode.values()) {
            for (int i = 0; i < mode.weight; i++) {
                table.add(mode);
            }
        }
        MODE_TABLE = table.toArray(new Mode[0]);
    }

    // Observed codes of the error a callback took.
    private static final int SAW_NULL = 0;
    private static final int SAW_OWN = 1;
    private static final int SAW_CANCELLED = 2;
    private static final int SAW_OTHER = 3;
    // Flags.
    private static final int CANCEL_WON = 1;
    private static final int DISPOSE_WON = 2;

    @ParameterizedTest(name = "virtualThreads={0}")
    @ValueSource(booleans = {false, true})
    void millionsOfTasksEndExactlyOnce(boolean virtualThreads) throws Exception {
        long seed = StressMode.seed();
        long start = System.nanoTime();
        System.out.println("[stress] TaskStressTest virtualThreads=" + virtualThreads + " seed=" + seed);
        Round round = new Round(TASKS_PER_ROUND);
        Map<Long, String> threadsBefore = OurThreads.live();
        long heapBefore = OurThreads.usedHeapAfterGc();
        long total = 0;
        Map<Mode, Long> modes = new EnumMap<>(Mode.class);
        long[] totals = new long[6];
        long until = start + java.util.concurrent.TimeUnit.MINUTES.toNanos(LONG_MINUTES);
        int rounds = 0;
        for (int r = 0; r < ROUNDS || (StressMode.LONG && System.nanoTime() - until < 0); r++) {
            rounds++;
            round.reset(seed + r * 0x632BE59BD9B4E019L);
            try (LogCapture ignored = new LogCapture(round::logged, "task.runtime")) {
                round.run(virtualThreads);
            }
            round.verify(modes, totals);
            total += round.n;
            OurThreads.assertBackTo(threadsBefore, "after round " + r);
        }
        long heapAfter = OurThreads.usedHeapAfterGc();
        assertTrue(heapAfter - heapBefore <= HEAP_MARGIN, "heap after a full GC grew from " + (heapBefore >> 20)
                + " MB to " + (heapAfter >> 20) + " MB (margin " + (HEAP_MARGIN >> 20) + " MB)");
        StressMode.summary("TaskStressTest virtualThreads=" + virtualThreads + " (runner uses virtual threads: "
                + (Runtime.version().feature() >= 21 && virtualThreads) + ")",
                total + " tasks in " + rounds + " round(s), " + modes + ", cancels won " + totals[0]
                        + ", disposes won " + totals[1] + ", throwing callbacks " + totals[2] + " (logged "
                        + totals[3] + ", rethrown " + totals[4] + "), worker runs " + totals[5]
                        + ", heap " + (heapBefore >> 20) + "->" + (heapAfter >> 20) + " MB",
                seed, start);
    }

    /** One run of {@code n} tasks on a fresh runtime, with per-task counters. */
    private static final class Round {
        final int n;
        final AtomicIntegerArray callbacks;
        final AtomicIntegerArray callbackCleanups;
        final AtomicIntegerArray workerCleanups;
        final AtomicIntegerArray workerRuns;
        final AtomicIntegerArray resultSets;
        final AtomicIntegerArray resultCleanups;
        final AtomicIntegerArray logged;
        final AtomicIntegerArray rethrown;
        final AtomicIntegerArray callbackThrew;
        final AtomicIntegerArray observed;
        final AtomicIntegerArray flags;
        final AtomicLong carrierCallbacks = new AtomicLong();
        final AtomicLong carrierCleanups = new AtomicLong();
        long seed;
        Problems problems;
        Semaphore inFlight;
        AtomicInteger next;
        TaskRuntime runtime;
        EventContext[] contexts;

        Round(int n) {
            this.n = n;
            callbacks = new AtomicIntegerArray(n);
            callbackCleanups = new AtomicIntegerArray(n);
            workerCleanups = new AtomicIntegerArray(n);
            workerRuns = new AtomicIntegerArray(n);
            resultSets = new AtomicIntegerArray(n);
            resultCleanups = new AtomicIntegerArray(n);
            logged = new AtomicIntegerArray(n);
            rethrown = new AtomicIntegerArray(n);
            callbackThrew = new AtomicIntegerArray(n);
            observed = new AtomicIntegerArray(n);
            flags = new AtomicIntegerArray(n);
        }

        void reset(long seed) {
            this.seed = seed;
            for (int i = 0; i < n; i++) {
                callbacks.set(i, 0);
                callbackCleanups.set(i, 0);
                workerCleanups.set(i, 0);
                workerRuns.set(i, 0);
                resultSets.set(i, 0);
                resultCleanups.set(i, 0);
                logged.set(i, 0);
                rethrown.set(i, 0);
                callbackThrew.set(i, 0);
                observed.set(i, -1);
                flags.set(i, 0);
            }
            carrierCallbacks.set(0);
            carrierCleanups.set(0);
            problems = new Problems();
            inFlight = new Semaphore(IN_FLIGHT);
            next = new AtomicInteger();
        }

        /** A record for the runtime's logger: only throwing callbacks may be reported, each once. */
        void logged(LogRecord record) {
            Throwable thrown = record.getThrown();
            if (thrown instanceof CallbackBoom) {
                if (logged.incrementAndGet(((CallbackBoom) thrown).index) != 1) {
                    problems.add("callback failure of task #" + ((CallbackBoom) thrown).index + " logged twice");
                }
            } else {
                problems.add("unexpected log record: " + record.getLevel() + " " + record.getMessage() + " "
                        + thrown);
            }
        }

        void run(boolean virtualThreads) throws InterruptedException {
            runtime = TestSupport.runtime(virtualThreads, PLATFORM_THREADS);
            try {
                contexts = new EventContext[] {runtime.defaultContext(),
                        runtime.contexts().start("task-stress-a"), runtime.contexts().start("task-stress-b"),
                        runtime.contexts().start("task-stress-c")};
                List<Thread> submitters = new ArrayList<>();
                for (int k = 0; k < SUBMITTERS; k++) {
                    Thread submitter = new Thread(this::submitAll, "stress-submitter-" + k);
                    submitters.add(submitter);
                    submitter.start();
                }
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(ROUND_GUARD_MINUTES);
                for (Thread submitter : submitters) {
                    TimeUnit.NANOSECONDS.timedJoin(submitter, Math.max(1, deadline - System.nanoTime()));
                    if (submitter.isAlive()) {
                        fail("submitter hangs: " + describe(submitter));
                    }
                }
                if (!inFlight.tryAcquire(IN_FLIGHT, GUARD_SECONDS, TimeUnit.SECONDS)) {
                    problems.assertNone("before the tasks ended");
                    fail("tasks never ended: " + unfinished() + "; in flight: " + runtime.inspector().inFlight().size());
                }
                problems.assertNone("stress round, seed " + seed);
                assertEquals(List.of(), runtime.inspector().inFlight(), "tasks in flight after every task ended");
            } finally {
                runtime.close();
            }
            assertEquals(List.of(), runtime.inspector().inFlight(), "tasks in flight after close");
            for (EventContext context : contexts) {
                assertTrue(context.isClosed(), context + " closed with the runtime");
            }
            runtime = null;
            contexts = null;
        }

        private String describe(Thread thread) {
            StringBuilder text = new StringBuilder(thread.getName());
            for (StackTraceElement frame : thread.getStackTrace()) {
                text.append("\n    at ").append(frame);
            }
            return text.toString();
        }

        private String unfinished() {
            List<String> some = new ArrayList<>();
            for (int i = 0; i < n && some.size() < 10; i++) {
                if (callbackCleanups.get(i) == 0) {
                    Plan p = new Plan(this, i);
                    some.add("#" + i + " " + p.mode + "/" + p.outcome + " callbacks=" + callbacks.get(i)
                            + " workerRuns=" + workerRuns.get(i) + " flags=" + flags.get(i));
                }
            }
            return some.toString();
        }

        private void submitAll() {
            try {
                for (;;) {
                    int i = next.getAndIncrement();
                    if (i >= n) {
                        return;
                    }
                    if (!inFlight.tryAcquire(GUARD_SECONDS, TimeUnit.SECONDS)) {
                        problems.add("no task ended for " + GUARD_SECONDS + " s; stopping at #" + i);
                        next.set(n);
                        return;
                    }
                    Plan p = new Plan(this, i);
                    try {
                        submit(p);
                    } catch (Throwable unexpected) {
                        problems.add("task #" + i + " " + p.mode + "/" + p.outcome + ": submitter got " + unexpected);
                    }
                    p.part();
                }
            } catch (InterruptedException e) {
                problems.add("submitter interrupted");
            }
        }

        private void submit(Plan p) throws InterruptedException {
            Task<Plan, Res> t = runtime.tasks().builder(p, p::onCallback).cleanup(p::onCallbackCleanup)
                    .context(p.contextArg).create();
            p.task = t;
            int i = p.index;
            switch (p.mode) {
            case PLAIN:
                t.runInThread(p.worker(), p::onWorkerCleanup, p.contextArg);
                break;
            case CANCEL_BEFORE:
                expect(t.cancel(p.interrupt, "before the worker"), p, "cancel before runInThread returned false");
                flags.set(i, CANCEL_WON);
                t.runInThread(p.worker(), p::onWorkerCleanup, p.contextArg);
                expect(workerCleanups.get(i) == 1, p, "worker cleanup of a cancelled task did not run at once");
                if (p.waitAfter) {
                    // Turned away by runInThread, still waited for: the waiter may run the callback.
                    p.waiter = Thread.currentThread();
                    waitFor(p);
                }
                break;
            case CANCEL_RACE:
                t.runInThread(p.worker(), p::onWorkerCleanup, p.contextArg);
                boolean won = p.viaInspector ? runtime.inspector().cancel(t.id()) : t.cancel(p.interrupt, "race");
                if (won) {
                    flags.set(i, CANCEL_WON);
                }
                break;
            case CANCEL_DURING:
                t.runInThread(p.worker(), p::onWorkerCleanup, p.contextArg);
                await(p.started, p);
                expect(t.cancel(p.interrupt, "during the worker"), p, "cancel of a running worker returned false");
                flags.set(i, CANCEL_WON);
                p.release.countDown();
                break;
            case DISPOSE_BEFORE:
                expect(t.dispose(), p, "dispose of a new task returned false");
                flags.set(i, DISPOSE_WON);
                expect(callbackCleanups.get(i) == 1, p, "callback cleanup of a disposed task did not run at once");
                t.runInThread(p.worker(), p::onWorkerCleanup, p.contextArg);
                expect(workerCleanups.get(i) == 1, p, "worker cleanup of a disposed task did not run at once");
                if (p.waitAfter) {
                    waitFor(p);
                }
                break;
            case DISPOSE_DURING:
                t.runInThread(p.worker(), p::onWorkerCleanup, p.contextArg);
                await(p.started, p);
                expect(t.dispose(), p, "dispose of a running worker returned false");
                flags.set(i, DISPOSE_WON);
                p.release.countDown();
                break;
            case DISPOSE_RACE:
                t.runInThread(p.worker(), p::onWorkerCleanup, p.contextArg);
                if (t.dispose()) {
                    flags.set(i, DISPOSE_WON);
                }
                break;
            case WAIT_OUTSIDE:
                t.runInThread(p.worker(), p::onWorkerCleanup, p.contextArg);
                p.waiter = Thread.currentThread();
                waitFor(p);
                break;
            case CANCEL_WAITED:
                // A cancel from the context's thread races this waiter, parked or not.
                t.runInThread(p.worker(), p::onWorkerCleanup, p.contextArg);
                p.waiter = Thread.currentThread();
                p.context.post(() -> {
                    if (t.cancel(p.interrupt, "racing waitThread")) {
                        flags.set(i, CANCEL_WON);
                    }
                });
                waitFor(p);
                break;
            case WAIT_INSIDE:
                EventContext carrierContext = contexts[p.carrierContext];
                Task<Object, Object> carrier = runtime.tasks().builder((Object) p, c -> {
                    carrierCallbacks.incrementAndGet();
                    if (!carrierContext.inContext()) {
                        problems.add("carrier of #" + p.index + " called back off its context");
                    }
                    p.waiter = Thread.currentThread();
                    waitFor(p);
                }).cleanup(() -> {
                    carrierCleanups.incrementAndGet();
                    p.part();
                }).context(carrierContext).create();
                t.runInThread(p.worker(), p::onWorkerCleanup, p.contextArg);
                carrierContext.post(() -> {
                    try {
                        carrier.complete();
                    } catch (Throwable thrown) {
                        problems.add("carrier of #" + p.index + ": complete threw " + thrown);
                    }
                });
                break;
            case DIRECT:
                p.setOutcome(t);
                p.waiter = Thread.currentThread();
                try {
                    t.complete();
                } catch (CallbackBoom boom) {
                    p.rethrown(boom);
                }
                p.checkEnded("complete()");
                break;
            case DIRECT_ON_CONTEXT:
            case DIRECT_RACE:
                p.setOutcome(t);
                p.context.post(() -> {
                    try {
                        t.complete();
                    } catch (CallbackBoom boom) {
                        p.rethrown(boom);
                    } catch (Throwable thrown) {
                        problems.add("#" + p.index + ": complete() threw " + thrown);
                    }
                });
                if (p.mode == Mode.DIRECT_RACE) {
                    if (p.interrupt) {
                        if (t.cancel(false, "racing complete()")) {
                            flags.set(i, CANCEL_WON);
                        }
                    } else if (t.dispose()) {
                        flags.set(i, DISPOSE_WON);
                    }
                }
                break;
            default:
                throw new AssertionError(p.mode);
            }
        }

        /** waitThread on p's task, from a submitter or from a carrier's callback. */
        void waitFor(Plan p) {
            Task<Plan, Res> t = p.task;
            try {
                t.waitThread();
            } catch (CallbackBoom boom) {
                p.rethrown(boom);
            }
            p.checkEnded("waitThread()");
        }

        private void expect(boolean condition, Plan p, String problem) {
            if (!condition) {
                problems.add("#" + p.index + " " + p.mode + "/" + p.outcome + ": " + problem);
            }
        }

        private void await(CountDownLatch latch, Plan p) throws InterruptedException {
            if (!latch.await(GUARD_SECONDS, TimeUnit.SECONDS)) {
                problems.add("#" + p.index + " " + p.mode + ": its worker never started");
            }
        }

        /** After the round: every task's counts against its plan. */
        void verify(Map<Mode, Long> modes, long[] totals) {
            assertEquals(n, next.get() < n ? -1 : n, "all tasks submitted");
            long waitInside = 0;
            for (int i = 0; i < n; i++) {
                Plan p = new Plan(this, i);
                modes.merge(p.mode, 1L, Long::sum);
                int f = flags.get(i);
                boolean cancelWon = (f & CANCEL_WON) != 0;
                boolean disposeWon = (f & DISPOSE_WON) != 0;
                totals[0] += cancelWon ? 1 : 0;
                totals[1] += disposeWon ? 1 : 0;
                totals[2] += callbackThrew.get(i);
                totals[3] += logged.get(i);
                totals[4] += rethrown.get(i);
                totals[5] += workerRuns.get(i);
                waitInside += p.mode == Mode.WAIT_INSIDE ? 1 : 0;
                String what = "task #" + i + " (" + p.mode + "/" + p.outcome + (p.callbackThrows ? "/throwing" : "")
                        + ", cancelWon=" + cancelWon + ", disposeWon=" + disposeWon + ")";
                int expectedCallbacks = disposeWon ? 0 : 1;
                check(callbacks.get(i) == expectedCallbacks, what, "callbacks " + callbacks.get(i));
                check(callbackCleanups.get(i) == 1, what, "callback cleanups " + callbackCleanups.get(i));
                check(workerCleanups.get(i) == (p.mode.threaded() ? 1 : 0), what,
                        "worker cleanups " + workerCleanups.get(i));
                check(resultCleanups.get(i) == resultSets.get(i), what,
                        "results set " + resultSets.get(i) + ", cleaned " + resultCleanups.get(i));
                int runs = workerRuns.get(i);
                switch (p.mode) {
                case CANCEL_BEFORE:
                case DISPOSE_BEFORE:
                case DIRECT:
                case DIRECT_ON_CONTEXT:
                case DIRECT_RACE:
                    check(runs == 0, what, "worker runs " + runs);
                    break;
                case CANCEL_RACE:
                case DISPOSE_RACE:
                case CANCEL_WAITED:
                    check(runs == 1 || (runs == 0 && (cancelWon || disposeWon)), what, "worker runs " + runs);
                    break;
                default:
                    check(runs == 1, what, "worker runs " + runs);
                }
                int saw = observed.get(i);
                int expectedSaw = disposeWon ? -1 : cancelWon ? SAW_CANCELLED : p.outcome.failing() ? SAW_OWN : SAW_NULL;
                check(saw == expectedSaw, what, "callback saw error code " + saw + ", expected " + expectedSaw);
                int threw = callbackThrew.get(i);
                check(threw == (p.callbackThrows && callbacks.get(i) == 1 ? 1 : 0), what, "callback threw " + threw);
                check(logged.get(i) + rethrown.get(i) == threw, what,
                        "threw " + threw + ", logged " + logged.get(i) + ", rethrown " + rethrown.get(i));
            }
            assertEquals(waitInside, carrierCallbacks.get(), "carrier callbacks");
            assertEquals(waitInside, carrierCleanups.get(), "carrier cleanups");
            problems.assertNone("verification, seed " + seed);
        }

        private void check(boolean condition, String what, String problem) {
            if (!condition) {
                problems.add(what + ": " + problem);
            }
        }
    }

    /** The result a worker (or a direct task's operation) attaches. */
    static final class Res {
        final int index;
        /** False for a result that is replaced before the task ends. */
        final boolean last;

        Res(int index, boolean last) {
            this.index = index;
            this.last = last;
        }
    }

    /** What happens to task {@code index}: a pure function of the round's seed and the index. */
    static final class Plan {
        final Round round;
        final int index;
        final Mode mode;
        final Outcome outcome;
        final boolean callbackThrows;
        final boolean interrupt;
        final boolean lateCancel;
        final boolean viaInspector;
        /** CANCEL_BEFORE, DISPOSE_BEFORE: waitThread after the turned-away runInThread. */
        final boolean waitAfter;
        final int carrierContext;
        final EventContext context;
        final EventContext contextArg;
        final Throwable thrown;
        final CallbackBoom boom;
        final CountDownLatch started;
        final CountDownLatch release;
        final AtomicInteger parts;
        volatile Task<Plan, Res> task;
        volatile Thread waiter;
        volatile boolean finalResultSet;

        Plan(Round round, int index) {
            this.round = round;
            this.index = index;
            long h = mix(round.seed + index * 0x9E3779B97F4A7C15L);
            mode = MODE_TABLE[(int) ((h & 0xFFFF) % MODE_TABLE.length)];
            outcome = Outcome.values()[(int) (((h >>> 16) & 0xFF) % Outcome.values().length)];
            callbackThrows = ((h >>> 24) & 0xFF) < 13;
            int contextIndex = (int) ((h >>> 32) & 3);
            interrupt = ((h >>> 34) & 1) != 0;
            lateCancel = ((h >>> 35) & 7) == 0;
            boolean nullArg = ((h >>> 38) & 1) != 0;
            carrierContext = (int) ((h >>> 40) & 3);
            viaInspector = ((h >>> 42) & 3) == 0;
            waitAfter = ((h >>> 45) & 1) != 0;
            if (round.contexts != null) {
                context = round.contexts[contextIndex];
                contextArg = contextIndex == 0 && nullArg ? null : context;
            } else {
                context = null; // verification only
                contextArg = null;
            }
            switch (outcome) {
            case SET_ERROR:
                thrown = ((h >>> 44) & 1) != 0 ? new WorkerFailure(index) : new IllegalStateException("set #" + index);
                break;
            case THROW_CHECKED:
                thrown = new WorkerFailure(index);
                break;
            case THROW_ERROR:
                thrown = new WorkerAssertionError(index);
                break;
            default:
                thrown = null;
            }
            boom = callbackThrows ? new CallbackBoom(index) : null;
            boolean blocking = mode == Mode.CANCEL_DURING || mode == Mode.DISPOSE_DURING;
            started = blocking ? new CountDownLatch(1) : null;
            release = blocking ? new CountDownLatch(1) : null;
            parts = new AtomicInteger(mode == Mode.WAIT_INSIDE ? 3 : 2);
        }

        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        private void problem(String text) {
            round.problems.add("#" + index + " " + mode + "/" + outcome + ": " + text);
        }

        /** One of the parties (submitter, task's end, carrier) is done; the last frees the slot. */
        void part() {
            int left = parts.decrementAndGet();
            if (left == 0) {
                round.inFlight.release();
            } else if (left < 0) {
                problem("ended more than once");
            }
        }

        /** Whether a canceller or disposer may interrupt this task's worker. */
        private boolean mayBeInterrupted() {
            return mode == Mode.DISPOSE_RACE || mode == Mode.DISPOSE_DURING
                    || ((mode == Mode.CANCEL_RACE || mode == Mode.CANCEL_DURING) && (interrupt || viaInspector))
                    || (mode == Mode.CANCEL_WAITED && interrupt);
        }

        TaskWorker<Plan, Res> worker() {
            return t -> {
                if (round.workerRuns.incrementAndGet(index) != 1) {
                    problem("worker ran twice");
                }
                if (!mayBeInterrupted() && Thread.currentThread().isInterrupted()) {
                    problem("worker started with its thread interrupted (an interrupt meant for another job)");
                }
                if (t.source() != this) {
                    problem("worker: wrong source");
                }
                if (started != null) {
                    started.countDown();
                    boolean sawInterrupt = false;
                    for (;;) {
                        try {
                            if (!release.await(GUARD_SECONDS, TimeUnit.SECONDS)) {
                                problem("worker never released");
                            }
                            break;
                        } catch (InterruptedException e) {
                            sawInterrupt = true;
                        }
                    }
                    sawInterrupt |= Thread.interrupted();
                    boolean interruptExpected = mode == Mode.DISPOSE_DURING || interrupt;
                    if (sawInterrupt != interruptExpected) {
                        problem("worker interrupted: " + sawInterrupt + ", expected " + interruptExpected);
                    }
                    if (!t.isCancelled()) {
                        problem("worker: task not cancelled after cancel/dispose returned true");
                    }
                }
                switch (outcome) {
                case RESULT:
                    finalResultSet = true;
                    round.resultSets.incrementAndGet(index);
                    t.setResult(new Res(index, true), this::onResultCleanup);
                    break;
                case SET_ERROR:
                    t.setError(thrown);
                    break;
                case THROW_CHECKED:
                    throw (Exception) thrown;
                case THROW_ERROR:
                    throw (Error) thrown;
                default:
                    break;
                }
            };
        }

        /** A direct task's operation: its result (replaced once, sometimes) or its error. */
        void setOutcome(Task<Plan, Res> t) {
            switch (outcome) {
            case RESULT:
                if (lateCancel) {
                    round.resultSets.incrementAndGet(index);
                    t.setResult(new Res(index, false), this::onResultCleanup);
                }
                finalResultSet = true;
                round.resultSets.incrementAndGet(index);
                t.setResult(new Res(index, true), this::onResultCleanup);
                if (lateCancel && round.resultCleanups.get(index) != 1) {
                    problem("a replaced result was not cleaned up at once");
                }
                break;
            case NOTHING:
                break;
            default:
                t.setError(thrown);
            }
        }

        void onCallback(Task<Plan, Res> t) {
            if (round.callbacks.incrementAndGet(index) != 1) {
                problem("callback ran twice");
            }
            if (t.state() != TaskState.COMPLETING) {
                problem("callback: state " + t.state());
            }
            if (t.source() != this) {
                problem("callback: wrong source");
            }
            Throwable error = t.propagateError();
            // A cancelled callback does not wait for the worker, which may
            // set an error between two calls; otherwise the second gets null.
            if (!(error instanceof TaskCancelledException) && t.propagateError() != null) {
                problem("a second propagateError() returned an error");
            }
            int code;
            if (error == null) {
                code = SAW_NULL;
            } else if (error == thrown) {
                code = SAW_OWN;
            } else if (error instanceof TaskCancelledException) {
                code = SAW_CANCELLED;
            } else {
                code = SAW_OTHER;
                problem("callback saw a foreign error " + error);
            }
            round.observed.set(index, code);
            Res result = t.result();
            if (code == SAW_NULL && outcome == Outcome.RESULT) {
                if (result == null || result.index != index || !result.last) {
                    problem("callback: wrong result");
                }
            } else if (code == SAW_CANCELLED && result != null) {
                problem("callback of a cancelled task sees a result");
            }
            Thread me = Thread.currentThread();
            boolean rightThread;
            switch (mode) {
            case WAIT_OUTSIDE:
            case CANCEL_WAITED:
            case CANCEL_BEFORE:
                rightThread = me == waiter || context.inContext();
                break;
            case WAIT_INSIDE:
                rightThread = me == waiter || context.inContext();
                break;
            case DIRECT:
                rightThread = me == waiter;
                break;
            default:
                rightThread = context.inContext();
            }
            if (!rightThread) {
                problem("callback on the wrong thread");
            }
            if (lateCancel) {
                if (t.cancel(true)) {
                    problem("cancel from the callback returned true");
                }
                if (t.dispose()) {
                    problem("dispose from the callback returned true");
                }
            }
            if (callbackThrows) {
                round.callbackThrew.incrementAndGet(index);
                throw boom;
            }
        }

        void rethrown(CallbackBoom caught) {
            if (caught != boom) {
                problem("rethrown: a foreign callback failure " + caught);
            }
            round.rethrown.incrementAndGet(index);
        }

        void onWorkerCleanup() {
            if (round.workerCleanups.incrementAndGet(index) != 1) {
                problem("worker cleanup ran twice");
            }
        }

        void onCallbackCleanup() {
            if (round.callbackCleanups.incrementAndGet(index) != 1) {
                problem("callback cleanup ran twice");
            }
            Task<Plan, Res> t = task;
            if (lateCancel && t != null) {
                if (t.cancel(true)) {
                    problem("cancel from a cleanup returned true");
                }
                if (t.dispose()) {
                    problem("dispose from a cleanup returned true");
                }
            }
            // The task's end: here unless a result's cleanup comes last.
            if (!finalResultSet) {
                part();
            }
        }

        void onResultCleanup(Res result) {
            if (result.index != index) {
                problem("result cleanup got another task's result");
            }
            round.resultCleanups.incrementAndGet(index);
            if (result.last) {
                part();
            }
        }

        /** After waitThread() or complete() returned: the task has finished. */
        void checkEnded(String how) {
            int callbacks = (round.flags.get(index) & DISPOSE_WON) != 0 ? 0 : 1;
            if (round.callbacks.get(index) != callbacks || round.callbackCleanups.get(index) != 1
                    || round.workerCleanups.get(index) != (mode.threaded() ? 1 : 0)
                    || round.resultCleanups.get(index) != round.resultSets.get(index)) {
                problem("not finished when " + how + " returned");
            }
            Task<Plan, Res> t = task;
            if (t.cancel(true) || t.dispose()) {
                problem("cancel or dispose after " + how + " returned true");
            }
            if (t.state() != TaskState.FINISHED) {
                problem("state after " + how + ": " + t.state());
            }
        }
    }
}
