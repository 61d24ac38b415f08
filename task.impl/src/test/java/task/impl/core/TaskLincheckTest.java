package task.impl.core;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

import task.api.Task;
import task.api.TaskCancelledException;
import task.api.TaskState;
import task.api.ThreadRunner;
import task.impl.log.ReportLevel;
import task.impl.log.Reporter;
import task.impl.loop.EventLoop;

/**
 * Model checking of the task's state machine with Lincheck, in its
 * model-checking mode (issue 4): Lincheck runs small scenarios of
 * operations from several threads and explores their interleavings
 * systematically, switching threads at every shared-memory access, CAS,
 * park and unpark; every explored execution is checked twice.
 * <ol>
 * <li>Its results must be linearizable with respect to a sequential
 * specification written out below ({@link DirectModel}, {@link ThreadedModel}):
 * plain classes that state the documented behaviour one operation at a time.</li>
 * <li>After the scenario, {@link Harness#driveToTheEndAndCheck()} drives the task to its
 * end (runs a worker job nobody ran, iterates the context until idle) and
 * checks the exactly-once promises: the callback ran once, or never when a
 * {@code dispose()} won; each cleanup ran exactly once; every result set was
 * cleaned up once and every error accounted for once; cancel hooks ran once
 * exactly when the task was cancelled or disposed; the task is finished and
 * out of the in-flight table; nothing was reported as a warning.</li>
 * </ol>
 * A fourth check runs fixed scenarios ({@link WaiterHarness}): a waiter
 * that does not run the job itself, against a cancel, a dispose and the
 * runner taking the queued job; there, waitThread must also return only
 * once the task has finished.
 * <p>
 * Inside the operations, a callback also checks where it runs: on the
 * thread that claimed the completion by {@code complete()},
 * {@code waitThread()} or by driving the context; a cancelled callback
 * only on the context or the waiter.
 *
 * <h2>Determinism</h2>
 * No thread outside Lincheck's control takes part: the completion context
 * is a caller-driven {@link EventLoop} iterated by the {@code deliver()}
 * operation, and the runner is a {@link RecordingRunner} that only keeps the
 * job, which the {@code runWorker()} operation (or {@code waitThread()},
 * see there) runs in the calling Lincheck thread. No sleeps, no timeouts.
 *
 * <h2>What is deliberately not a result</h2>
 * Several operations of the task are not atomic, by design and as
 * documented: {@code complete()} claims the completion, runs the callback,
 * and only then releases the task's data (the COMPLETING state), and
 * {@code cancel()} or a returning worker post the completion just after
 * their state change. A linearizability check on what the data calls
 * ({@code setError}, {@code setResult}, {@code propagateError},
 * {@code onCancel}) or the context ({@code deliver}) observe would therefore
 * reject correct executions. Those operations return nothing; they check
 * their own outcome on the spot (an {@link IllegalStateException} only on a
 * task that has finished normally) and feed the exactly-once accounting of
 * the validation. The decisions of the state machine ({@code complete},
 * {@code cancel}, {@code dispose}, {@code runWorker}, {@code waitThread}) are
 * single CASes and are checked against the specifications.
 *
 * <h2>Counts</h2>
 * Short mode (default) runs in under a minute; {@code -Dtask.stress.long=true}
 * multiplies scenarios and invocations for the soak (about ten minutes). The number of scenarios and of
 * explored executions is printed at the end.
 */
class TaskLincheckTest {
    static final boolean LONG = Boolean.getBoolean("task.stress.long");
    /** Scenarios (Lincheck "iterations") per test. */
    static final int SCENARIOS = LONG ? 30 : 4;
    /** Explored interleavings per scenario, at most. */
    static final int INVOCATIONS = LONG ? 300 : 100;


    @Test
    void directTaskAgainstItsSpecification() {
        check(DirectHarness.class, DirectModel.class, 3, 2);
    }

    @Test
    void threadedTaskAgainstItsSpecification() {
        check(ThreadedHarness.class, ThreadedModel.class, 3, 2);
    }

    @Test
    void contextRacesKeepEveryPromise() {
        check(ContextHarness.class, ContextModel.class, 3, 2);
    }

    /**
     * Issue 9's races, in fixed scenarios (a waiter that does not run the
     * job itself would block for ever in a random one where nobody else
     * does): a cancel against a waiter parked in waitThread (it must wake
     * the waiter, which runs the cancelled callback beside the worker and
     * returns only once the task has finished), and a cancel or dispose
     * against the runner taking the queued job (exactly one of them gets
     * the worker; a dropped job does nothing when it runs).
     */
    @Test
    void cancelRacesAParkedWaiterAndTheQueuedJob() {
        long started = System.nanoTime();
        ModelCheckingOptions options = new ModelCheckingOptions()
                .iterations(0)
                .invocationsPerIteration(INVOCATIONS * (LONG ? 10 : 2))
                .sequentialSpecification(WaiterModel.class);
        List<List<List<String>>> scenarios = List.of(
                List.of(List.of("waitThread"), List.of("cancel"), List.of("runWorker")),
                List.of(List.of("waitThread"), List.of("cancelInterrupting", "runWorker")),
                List.of(List.of("waitThread"), List.of("runWorker"), List.of("cancelInterrupting", "setResult")),
                List.of(List.of("waitThread"), List.of("dispose"), List.of("runWorker")),
                List.of(List.of("waitThread", "propagateError"), List.of("dispose", "runWorker"), List.of("cancel")),
                List.of(List.of("cancel"), List.of("runWorker"), List.of("dispose")),
                List.of(List.of("dispose", "propagateError"), List.of("cancelInterrupting")),
                List.of(List.of("cancelInterrupting", "propagateError"), List.of("runWorker", "setError")));
        for (List<List<String>> threads : scenarios) {
            options.addCustomScenario(scenario(WaiterHarness.class, threads));
        }
        options.check(WaiterHarness.class);
        System.out.printf("lincheck %s: %d fixed scenarios x up to %d invocations, %d executions validated, %d ms (java %s, %s mode)%n",
                WaiterHarness.class.getSimpleName(), scenarios.size(), INVOCATIONS * (LONG ? 10 : 2),
                validated(WaiterHarness.class).get(), (System.nanoTime() - started) / 1_000_000, Runtime.version(),
                LONG ? "long" : "short");
    }

    /** A scenario of no-argument operations of {@code harness}, one list per thread, none before or after. */
    static ExecutionScenario scenario(Class<?> harness, List<List<String>> threads) {
        List<List<Actor>> parallel = new ArrayList<>();
        for (List<String> thread : threads) {
            List<Actor> actors = new ArrayList<>();
            for (String name : thread) {
                try {
                    Method method = harness.getMethod(name);
                    boolean blocking = method.getAnnotation(Operation.class).blocking();
                    actors.add(new Actor(method, List.of(), false, blocking, false, false, false));
                } catch (NoSuchMethodException e) {
                    throw new AssertionError(e);
                }
            }
            parallel.add(actors);
        }
        return new ExecutionScenario(List.of(), parallel, List.of(), null);
    }

    private static void check(Class<?> harness, Class<?> model, int threads, int actorsPerThread) {
        long started = System.nanoTime();
        new ModelCheckingOptions()
                .iterations(SCENARIOS)
                .invocationsPerIteration(INVOCATIONS)
                .threads(threads)
                .actorsPerThread(actorsPerThread)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(model)
                .check(harness);
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("lincheck %s: %d scenarios x up to %d invocations, %d executions validated, %d ms (java %s, %s mode)%n",
                harness.getSimpleName(), SCENARIOS, INVOCATIONS, validated(harness).get(), millis,
                Runtime.version(), LONG ? "long" : "short");
    }

    /**
     * Lincheck restores the static state of the classes it instruments after
     * each execution, so the count lives in the system properties instead.
     */
    static AtomicLong validated(Class<?> harness) {
        return (AtomicLong) System.getProperties().computeIfAbsent("task.lincheck.validated." + harness.getSimpleName(),
                k -> new AtomicLong());
    }

    // ======================================================================= results

    /** What a completing operation did. */
    public enum Outcome {
        /** The callback ran in this call. */
        RAN,
        /** Returned without running the callback (cancelled or disposed task; or it waited). */
        RETURNED,
        /** Threw IllegalStateException. */
        ILLEGAL,
        /** runWorker: the worker's body ran. */
        WORKED,
        /** runWorker: the job ran but the body was skipped (cancelled or disposed first). */
        SKIPPED,
        /** runWorker: the job had already been taken (by waitThread). */
        NONE
    }

    // ======================================================================= the specifications

    /**
     * The sequential specification of a task completed directly (no worker):
     * {@code complete()} runs the callback unless the task was cancelled or
     * disposed, in which case it does nothing, and throws once the task has
     * completed; {@code cancel()} succeeds once, and only before any
     * completion or disposal; {@code dispose()} succeeds once, and only
     * before the completion is claimed (a cancelled task's completion is
     * claimed when its context delivers it, which this scenario leaves to
     * the end). The data operations return nothing (see the class comment).
     */
    public static final class DirectModel {
        private boolean claimed;
        private boolean cancelled;
        private boolean disposed;

        public Outcome complete() {
            if (cancelled || disposed) {
                return Outcome.RETURNED;
            }
            if (claimed) {
                return Outcome.ILLEGAL;
            }
            claimed = true;
            return Outcome.RAN;
        }

        public boolean cancel() {
            if (claimed || cancelled || disposed) {
                return false;
            }
            cancelled = true;
            return true;
        }

        public boolean dispose() {
            if (claimed) {
                return false;
            }
            claimed = true;
            disposed = true;
            return true;
        }

        public void setError() {
        }

        public void setResult() {
        }

        public void propagateError() {
        }

        public void onCancel() {
        }
    }

    /**
     * The sequential specification of a task running in a thread, its
     * completion left on its context (delivered at the end):
     * <ul>
     * <li>{@code runWorker()}: the runner's job runs once; its worker body
     * runs unless the task was cancelled or disposed first; NONE if
     * {@code waitThread()} already ran the job.</li>
     * <li>{@code waitThread()}: (runs the job first if nobody did, as the
     * worker's thread would) then runs the completion itself unless a
     * disposal claimed it, in which case it returns without a callback. A
     * cancelled task's completion not delivered yet is run by the waiter.</li>
     * <li>{@code cancel(..)}: succeeds once, before any claim or disposal.</li>
     * <li>{@code dispose()}: succeeds once, before the completion is claimed.</li>
     * </ul>
     */
    public static final class ThreadedModel {
        private boolean jobTaken;
        private boolean claimed;
        private boolean cancelled;
        private boolean disposed;

        public Outcome runWorker() {
            if (jobTaken) {
                return Outcome.NONE;
            }
            return work();
        }

        private Outcome work() {
            jobTaken = true;
            return cancelled || disposed ? Outcome.SKIPPED : Outcome.WORKED;
        }

        public Outcome waitThread() {
            if (!jobTaken) {
                work();
            }
            if (claimed) {
                return Outcome.RETURNED;
            }
            claimed = true;
            return Outcome.RAN;
        }

        public boolean cancel() {
            if (claimed || cancelled || disposed) {
                return false;
            }
            cancelled = true;
            return true;
        }

        public boolean cancelInterrupting() {
            return cancel();
        }

        public boolean dispose() {
            if (claimed) {
                return false;
            }
            claimed = true;
            disposed = true;
            return true;
        }

        public void setError() {
        }

        public void setResult() {
        }

        public void propagateError() {
        }

        public void onCancel() {
        }
    }

    /**
     * The sequential specification of a threaded task whose waiter does not
     * run the job itself (the waiter scenarios): as {@link ThreadedModel},
     * but {@code waitThread()} leaves the job alone (it linearizes where it
     * claims: after the worker returned, or after a cancel); a job that a
     * cancel or dispose dropped, or whose worker saw the flag, is SKIPPED.
     */
    public static final class WaiterModel {
        private boolean claimed;
        private boolean cancelled;
        private boolean disposed;

        public Outcome runWorker() {
            return cancelled || disposed ? Outcome.SKIPPED : Outcome.WORKED;
        }

        public Outcome waitThread() {
            if (claimed) {
                return Outcome.RETURNED;
            }
            claimed = true;
            return Outcome.RAN;
        }

        public boolean cancel() {
            if (claimed || cancelled || disposed) {
                return false;
            }
            cancelled = true;
            return true;
        }

        public boolean cancelInterrupting() {
            return cancel();
        }

        public boolean dispose() {
            if (claimed) {
                return false;
            }
            claimed = true;
            disposed = true;
            return true;
        }

        public void setError() {
        }

        public void setResult() {
        }

        public void propagateError() {
        }
    }

    /**
     * The context scenario: the context claims completions concurrently with
     * everything else, and the completion is posted just after the state
     * change that makes it due, so no operation's result is stable enough
     * for a linearizability check (see the class comment). Every result is
     * void; the checks are the on-the-spot ones and the validation.
     */
    public static final class ContextModel {
        public void runWorker() {
        }

        public void waitThread() {
        }

        public void deliver() {
        }

        public void cancel() {
        }

        public void cancelInterrupting() {
        }

        public void dispose() {
        }

        public void setError() {
        }

        public void setResult() {
        }

        public void onCancel() {
        }
    }

    // ======================================================================= the harnesses

    /** Keeps the job; an operation runs it in a Lincheck thread. */
    static final class RecordingRunner implements ThreadRunner {
        final AtomicReference<Runnable> job = new AtomicReference<>();

        @Override
        public void execute(Runnable job) {
            if (!this.job.compareAndSet(null, job)) {
                throw new AssertionError("a second job for one task");
            }
        }

        @Override
        public boolean usesVirtualThreads() {
            return false;
        }

        @Override
        public int activeCount() {
            return job.get() == null ? 0 : 1;
        }
    }

    /** Collects what the runtime reports. */
    static final class CollectingReporter implements Reporter {
        final Queue<String> warnings = new ConcurrentLinkedQueue<>();
        final Queue<Throwable> debugged = new ConcurrentLinkedQueue<>();

        @Override
        public void warn(String message, Throwable failure) {
            warnings.add(message + (failure == null ? "" : ": " + failure));
        }

        @Override
        public void debug(String message, Throwable failure) {
            if (failure != null) {
                debugged.add(failure);
            }
        }
    }

    /** A result with its cleanup count. */
    static final class Result {
        final AtomicInteger cleanups = new AtomicInteger();
        volatile boolean accepted;
    }

    /**
     * One task and its counters; the operations of the scenarios. A new
     * instance per explored execution.
     */
    abstract static class Harness {
        static final ThreadLocal<String> OPERATION = new ThreadLocal<>();

        final CollectingReporter reporter = new CollectingReporter();
        final RecordingRunner runner = new RecordingRunner();
        final EventLoop loop = EventLoop.driven("lincheck-context", reporter);
        final TaskTable table = new TaskTable();
        // Untaken errors at debug level: the specification accounts for them among the debug reports.
        final TaskFactory factory = new TaskFactory("lincheck", runner, loop, table, reporter, ReportLevel.DEBUG);

        final AtomicInteger callbacks = new AtomicInteger();
        final AtomicInteger callbackCleanups = new AtomicInteger();
        final AtomicInteger workerCleanups = new AtomicInteger();
        final AtomicInteger workerBodies = new AtomicInteger();
        final AtomicInteger cancelWins = new AtomicInteger();
        final AtomicInteger disposeWins = new AtomicInteger();
        final Queue<String> violations = new ConcurrentLinkedQueue<>();
        /** Every error given to setError, and whether the call threw. */
        final Queue<Throwable> errorsGiven = new ConcurrentLinkedQueue<>();
        final Queue<Throwable> errorsRefused = new ConcurrentLinkedQueue<>();
        /** Every error handed out by propagateError (the callback's included). */
        final Queue<Throwable> errorsTaken = new ConcurrentLinkedQueue<>();
        final Queue<Result> results = new ConcurrentLinkedQueue<>();
        final Queue<AtomicInteger> hooks = new ConcurrentLinkedQueue<>();
        final Task<String, Result> task;

        Harness(boolean threaded) {
            task = factory.create("source", this::callback, callbackCleanups::incrementAndGet);
            if (threaded) {
                task.runInThread(t -> {
                    workerBodies.incrementAndGet();
                    Result result = new Result();
                    results.add(result);
                    t.setResult(result, Harness::cleanUp);
                    result.accepted = true;
                    beforeTheWorkerReturns(t);
                }, workerCleanups::incrementAndGet, loop);
            }
        }

        /** The end of the worker's body, in the thread running the job. */
        void beforeTheWorkerReturns(Task<String, Result> t) {
        }

        static void cleanUp(Result result) {
            result.cleanups.incrementAndGet();
        }

        private void callback(Task<String, Result> t) {
            callbacks.incrementAndGet();
            callbacksHere.get()[0]++;
            Throwable error = t.propagateError();
            if (error != null) {
                errorsTaken.add(error);
            }
            boolean cancelled = error instanceof TaskCancelledException;
            String op = OPERATION.get();
            if (op == null) {
                violations.add("callback outside any operation");
            } else if (cancelled && !(op.equals("deliver") || op.equals("waitThread"))) {
                violations.add("cancelled callback ran in " + op + ", not on the context or the waiter");
            } else if (!(op.equals("deliver") || op.equals("waitThread") || op.equals("complete"))) {
                violations.add("callback ran in " + op);
            }
            // Not "iff": a concurrent propagateError() may take the cancellation before the callback does.
            if (cancelled && !t.isCancelled()) {
                violations.add("callback saw a cancellation on a task that is not cancelled");
            }
        }

        /** Runs {@code body} as operation {@code op}; reports whether the callback ran in it. */
        final boolean as(String op, Runnable body) {
            String outer = OPERATION.get();
            OPERATION.set(op);
            int before = callbacksHere.get()[0];
            try {
                body.run();
            } finally {
                OPERATION.set(outer);
            }
            return callbacksHere.get()[0] != before;
        }

        /** Callbacks run by this thread (the callback's own count is shared). */
        final ThreadLocal<int[]> callbacksHere = ThreadLocal.withInitial(() -> new int[1]);

        // --------------------------------------------------------- operations shared by the harnesses

        Outcome doComplete() {
            try {
                return as("complete", task::complete) ? Outcome.RAN : Outcome.RETURNED;
            } catch (IllegalStateException e) {
                return Outcome.ILLEGAL;
            }
        }

        boolean doCancel(boolean interrupt) {
            boolean[] result = new boolean[1];
            as("cancel", () -> result[0] = task.cancel(interrupt, "lincheck"));
            boolean won = result[0];
            if (won) {
                cancelWins.incrementAndGet();
            }
            return won;
        }

        boolean doDispose() {
            boolean[] won = new boolean[1];
            as("dispose", () -> won[0] = task.dispose());
            if (won[0]) {
                disposeWins.incrementAndGet();
            }
            return won[0];
        }

        void doSetError() {
            Throwable error = new Exception("e" + errorsGiven.size());
            errorsGiven.add(error);
            try {
                task.setError(error);
            } catch (IllegalStateException e) {
                errorsRefused.add(error);
                expectFinishedNormally("setError");
            }
        }

        void doSetResult() {
            Result result = new Result();
            results.add(result);
            try {
                as("setResult", () -> task.setResult(result, Harness::cleanUp));
                result.accepted = true;
            } catch (IllegalStateException e) {
                expectFinishedNormally("setResult");
            }
        }

        void doPropagateError() {
            try {
                Throwable taken = task.propagateError();
                if (taken != null) {
                    errorsTaken.add(taken);
                }
            } catch (IllegalStateException e) {
                if (!finishing()) {
                    violations.add("propagateError threw on a task in state " + task.state());
                }
            }
        }

        void doOnCancel() {
            AtomicInteger hook = new AtomicInteger();
            try {
                as("onCancel", () -> task.onCancel(hook::incrementAndGet));
                hooks.add(hook);
            } catch (IllegalStateException e) {
                expectFinishedNormally("onCancel");
            }
        }

        /** Runs the runner's job here, if nobody has taken it; null if taken. */
        Outcome runJob(String op) {
            Runnable job = runner.job.getAndSet(null);
            if (job == null) {
                return Outcome.NONE;
            }
            int before = workerBodies.get();
            as(op, job);
            if (Thread.currentThread().isInterrupted()) {
                violations.add("an interrupt meant for the worker outlived its job");
                Thread.interrupted();
            }
            return workerBodies.get() != before ? Outcome.WORKED : Outcome.SKIPPED;
        }

        Outcome doWaitThread() {
            runJob("waitThread"); // as the runner's thread would, so that the wait ends
            try {
                return as("waitThread", task::waitThread) ? Outcome.RAN : Outcome.RETURNED;
            } catch (IllegalStateException e) {
                return Outcome.ILLEGAL;
            }
        }

        void doDeliver() {
            as("deliver", () -> loop.iterate(false));
        }

        /** Whether the task's cleanups have begun: its data methods throw from then on (its state is FINISHED only after them). */
        final boolean finishing() {
            return ((TaskImpl<?, ?>) task).finishing();
        }

        private void expectFinishedNormally(String op) {
            if (!finishing() || task.isCancelled()) {
                violations.add(op + " threw on a task in state " + task.state() + ", cancelled="
                        + task.isCancelled());
            }
        }

        // --------------------------------------------------------- the end of every execution

        /** Called by each harness's {@code @Validate} method (Lincheck wants exactly one per class hierarchy). */
        final void driveToTheEndAndCheck() {
            validated(getClass()).incrementAndGet();
            // Drive everything to the end: the worker nobody ran, then the context until idle.
            runJob("runWorker");
            for (int i = 0; i < 100 && as("deliver", () -> loop.iterate(false)); i++) {
                // The predicate ran one iteration.
            }
            List<String> problems = new ArrayList<>(violations);
            expect(problems, "state", TaskState.FINISHED, task.state());
            expect(problems, "in-flight tasks", 0, table.inFlight().size());
            expect(problems, "callbacks + winning disposals", 1, callbacks.get() + disposeWins.get());
            if (cancelWins.get() > 1 || disposeWins.get() > 1) {
                problems.add("cancel won " + cancelWins + " times, dispose won " + disposeWins + " times");
            }
            expect(problems, "callback cleanups", 1, callbackCleanups.get());
            if (runner.job.get() != null || workerBodies.get() > 1) {
                problems.add("worker body ran " + workerBodies + " times");
            }
            if (this instanceof ThreadedHarness || this instanceof ContextHarness) {
                expect(problems, "worker cleanups", 1, workerCleanups.get());
            }
            for (Result result : results) {
                expect(problems, "cleanups of a result " + (result.accepted ? "accepted" : "refused"),
                        result.accepted ? 1 : 0, result.cleanups.get());
            }
            boolean cancelledOrDisposed = cancelWins.get() + disposeWins.get() > 0;
            for (AtomicInteger hook : hooks) {
                expect(problems, "runs of a cancel hook", cancelledOrDisposed ? 1 : 0, hook.get());
            }
            checkErrors(problems);
            if (!reporter.warnings.isEmpty()) {
                problems.add("warnings: " + reporter.warnings);
            }
            if (!problems.isEmpty()) {
                throw new AssertionError(String.join("; ", problems));
            }
        }

        /**
         * Every error given to setError is accounted for exactly once: taken
         * by propagateError, reported as untaken or late (debug), refused
         * with an exception, or suppressed into one of those.
         */
        private void checkErrors(List<String> problems) {
            Map<Throwable, Integer> seen = new IdentityHashMap<>();
            List<Throwable> roots = new ArrayList<>(errorsTaken);
            roots.addAll(reporter.debugged);
            roots.addAll(errorsRefused);
            for (Throwable root : roots) {
                count(seen, root);
            }
            for (Throwable given : errorsGiven) {
                Integer times = seen.get(given);
                if (times == null || times != 1) {
                    problems.add("error " + given.getMessage() + " accounted for " + (times == null ? 0 : times)
                            + " times");
                }
            }
        }

        private static void count(Map<Throwable, Integer> seen, Throwable error) {
            seen.merge(error, 1, Integer::sum);
            for (Throwable suppressed : error.getSuppressed()) {
                count(seen, suppressed);
            }
        }

        private static void expect(List<String> problems, String what, Object expected, Object actual) {
            if (!expected.equals(actual)) {
                problems.add(what + ": expected " + expected + ", was " + actual);
            }
        }
    }

    /** A task its operation completes itself; a cancelled completion waits on the context until the end. */
    public static class DirectHarness extends Harness {
        public DirectHarness() {
            super(false);
        }

        @Validate
        public void validate() {
            driveToTheEndAndCheck();
        }

        @Operation
        public Outcome complete() {
            return doComplete();
        }

        @Operation
        public boolean cancel() {
            return doCancel(false);
        }

        @Operation
        public boolean dispose() {
            return doDispose();
        }

        @Operation
        public void setError() {
            doSetError();
        }

        @Operation
        public void setResult() {
            doSetResult();
        }

        @Operation
        public void propagateError() {
            doPropagateError();
        }

        @Operation
        public void onCancel() {
            doOnCancel();
        }
    }

    /** A task running in a thread; its completion waits on the context until the end. */
    public static class ThreadedHarness extends Harness {
        public ThreadedHarness() {
            super(true);
        }

        @Validate
        public void validate() {
            driveToTheEndAndCheck();
        }

        @Operation(runOnce = true)
        public Outcome runWorker() {
            return runJob("runWorker");
        }

        @Operation(runOnce = true, blocking = true)
        public Outcome waitThread() {
            return doWaitThread();
        }

        @Operation
        public boolean cancel() {
            return doCancel(false);
        }

        @Operation
        public boolean cancelInterrupting() {
            return doCancel(true);
        }

        @Operation
        public boolean dispose() {
            return doDispose();
        }

        @Operation
        public void setError() {
            doSetError();
        }

        @Operation
        public void setResult() {
            doSetResult();
        }

        @Operation
        public void propagateError() {
            doPropagateError();
        }

        @Operation
        public void onCancel() {
            doOnCancel();
        }
    }

    /**
     * A task running in a thread, waited for by a thread that does not run
     * the job: the job runs only in {@code runWorker()}, concurrently with
     * the wait, a cancel or a dispose. Only in fixed scenarios (see
     * {@link #cancelRacesAParkedWaiterAndTheQueuedJob()}).
     */
    public static class WaiterHarness extends Harness {
        /** Set when a waitThread call begins. */
        volatile boolean waiting;
        /** Set by a dispose that won while the job was still queued. */
        volatile boolean disposedWhileQueued;

        public WaiterHarness() {
            super(true);
        }

        @Validate
        public void validate() {
            if (disposedWhileQueued && task.state() != TaskState.FINISHED) {
                violations.add("a job disposed while queued waited for a runner thread: " + task.state());
            }
            driveToTheEndAndCheck();
        }

        /**
         * Once cancelled while a waiter waits, this worker returns only after
         * the cancelled callback has run (or a dispose skipped it): a cancel
         * that left the callback to wait for the worker (instead of waking
         * the waiter to run it) deadlocks here, and Lincheck reports it.
         */
        @Override
        void beforeTheWorkerReturns(Task<String, Result> t) {
            while (waiting && t.isCancelled() && callbacks.get() == 0 && disposeWins.get() == 0) {
                Thread.onSpinWait();
            }
        }


        @Operation(runOnce = true)
        public Outcome runWorker() {
            return runJob("runWorker");
        }

        @Operation(runOnce = true, blocking = true)
        public Outcome waitThread() {
            waiting = true;
            try {
                return as("waitThread", task::waitThread) ? Outcome.RAN : Outcome.RETURNED;
            } catch (IllegalStateException e) {
                return Outcome.ILLEGAL;
            } finally {
                if (task.state() != TaskState.FINISHED) {
                    violations.add("waitThread returned before the task finished: " + task.state());
                }
            }
        }

        @Operation
        public boolean cancel() {
            return doCancel(false);
        }

        @Operation
        public boolean cancelInterrupting() {
            return doCancel(true);
        }

        /**
         * A dispose that returns while no runner thread has polled the job
         * found the worker queued: it (or a canceller that dropped the job
         * just before) ends the task without a runner thread; checked once
         * every operation has returned, before the validation runs the job.
         */
        @Operation
        public boolean dispose() {
            boolean won = doDispose();
            if (won && runner.job.get() != null) {
                disposedWhileQueued = true;
            }
            return won;
        }

        @Operation
        public void setError() {
            doSetError();
        }

        @Operation
        public void setResult() {
            doSetResult();
        }

        @Operation
        public void propagateError() {
            doPropagateError();
        }
    }

    /** A task running in a thread whose context is driven during the scenario. */
    public static class ContextHarness extends Harness {
        public ContextHarness() {
            super(true);
        }

        @Validate
        public void validate() {
            driveToTheEndAndCheck();
        }

        @Operation(runOnce = true)
        public void runWorker() {
            runJob("runWorker");
        }

        @Operation(runOnce = true, blocking = true)
        public void waitThread() {
            doWaitThread();
        }

        /** One thread drives a caller-driven context at a time (iterate's contract). */
        @Operation(nonParallelGroup = "driver")
        public void deliver() {
            doDeliver();
        }

        @Operation
        public void cancel() {
            doCancel(false);
        }

        @Operation
        public void cancelInterrupting() {
            doCancel(true);
        }

        @Operation
        public void dispose() {
            doDispose();
        }

        @Operation
        public void setError() {
            doSetError();
        }

        @Operation
        public void setResult() {
            doSetResult();
        }

        @Operation
        public void onCancel() {
            doOnCancel();
        }
    }

}
