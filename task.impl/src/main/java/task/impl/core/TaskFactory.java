package task.impl.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskFuture;
import task.api.TaskGroup;
import task.api.TaskService;
import task.api.ThreadRunner;
import task.api.spi.ContextPropagator;
import task.impl.log.ReportLevel;
import task.impl.log.Reporter;
import task.impl.metrics.TaskMetrics;

/**
 * The task service of one owner (a client bundle in OSGi, or the plain-Java
 * runtime): creates tasks, and disposes the ones still in flight when the
 * owner goes away.
 * <p>
 * Life: open until {@link #disposeAll()}. A task created concurrently with
 * that call is either seen by it or sees {@code released} itself and is
 * disposed before create throws: none escapes.
 */
public class TaskFactory implements TaskService, TaskCreator {
    private final String ownerName;
    private final ThreadRunner runner;
    private final EventContext defaultContext;
    private final TaskTable table;
    private final Reporter reporter;
    private final ReportLevel untakenErrors;
    private final List<ContextPropagator> propagators;
    /** This owner's counters (shared by the factories of one owner name), or null with metrics off. */
    private final TaskMetrics.Counts counts;
    private volatile boolean released;
    /** Whether each new task records where it was created (a stack trace: costly, so off by default). */
    private volatile boolean recordCreationSites;
    /** How many dropped tasks one release reports one by one; the rest are counted. */
    private static final int DROPPED_REPORTED_ONE_BY_ONE = 10;

    /**
     * Creates the service of one owner.
     *
     * @param ownerName who creates the tasks, for diagnostics; not null
     * @param runner runs the workers; not null
     * @param defaultContext where completions go when no context is named; not null
     * @param table the runtime's tasks in flight; not null
     * @param reporter where failures nobody can take go; not null (it is
     *        {@linkplain Reporter#guarded guarded})
     * @param untakenErrors the level an error no callback took is reported
     *        at (see {@link #untakenError}); not null
     */
    public TaskFactory(String ownerName, ThreadRunner runner, EventContext defaultContext, TaskTable table,
            Reporter reporter, ReportLevel untakenErrors) {
        this(ownerName, runner, defaultContext, table, reporter, untakenErrors, List.of());
    }

    /**
     * Creates the service of one owner, with context propagators.
     *
     * @param ownerName who creates the tasks, for diagnostics; not null
     * @param runner runs the workers; not null
     * @param defaultContext where completions go when no context is named; not null
     * @param table the runtime's tasks in flight; not null
     * @param reporter where failures nobody can take go; not null
     * @param untakenErrors the level an error no callback took is reported at; not null
     * @param propagators captured with each new task (see {@link ContextPropagator}); not null, copied
     * @see #TaskFactory(String, ThreadRunner, EventContext, TaskTable, Reporter, ReportLevel)
     */
    public TaskFactory(String ownerName, ThreadRunner runner, EventContext defaultContext, TaskTable table,
            Reporter reporter, ReportLevel untakenErrors, List<ContextPropagator> propagators) {
        this.propagators = List.copyOf(propagators);
        this.ownerName = Objects.requireNonNull(ownerName, "ownerName");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.defaultContext = Objects.requireNonNull(defaultContext, "defaultContext");
        this.table = Objects.requireNonNull(table, "table");
        this.reporter = Reporter.guarded(reporter);
        this.untakenErrors = Objects.requireNonNull(untakenErrors, "untakenErrors");
        this.counts = table.metrics().enabled() ? table.metrics().owner(ownerName) : null;
    }

    /** @return this owner's counters, or null when metrics are off */
    TaskMetrics.Counts counts() {
        return counts;
    }

    /** @return the counters of an operation, or null when metrics are off */
    TaskMetrics.Counts operationCounts(String operation) {
        return counts == null ? null : table.metrics().operation(operation);
    }

    @Override
    public <S, R> Task<S, R> create(S source, TaskCallback<S, R> callback, Runnable cleanup) {
        return create(source, callback, cleanup, null, null);
    }

    @Override
    public <S, R> Builder<S, R> builder(S source, TaskCallback<S, R> callback) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(callback, "callback");
        return new TaskBuilder<>(this, source, callback);
    }

    @Override
    public TaskGroup group(String name) {
        if (released) {
            throw releasedError();
        }
        return new TaskGroupImpl(this, null, name);
    }

    @Override
    public <R> TaskFuture<R> supply(String name, Callable<? extends R> work, Consumer<? super R> cleanup,
            EventContext context) {
        return FutureTasks.supply(this, name, work, cleanup, context);
    }

    @Override
    public <S, R> TaskFuture<R> future(Function<? super TaskCallback<S, R>, ? extends Task<S, R>> start) {
        return FutureTasks.future(this, start);
    }

    @Override
    public <R> TaskFuture<R> adopt(String name, CompletionStage<? extends R> stage, Consumer<? super R> cleanup,
            EventContext context) {
        return FutureTasks.adopt(this, name, stage, cleanup, context);
    }

    @Override
    public <S, R> Task<S, R> create(S source, TaskCallback<S, R> callback, Runnable cleanup, String name,
            EventContext context) {
        return create(source, callback, cleanup, name, context, null);
    }

    /** Creates a task of {@code group} (its name, for TaskInfo), or of none. */
    <S, R> Task<S, R> create(S source, TaskCallback<S, R> callback, Runnable cleanup, String name,
            EventContext context, String group) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(callback, "callback");
        if (released) {
            throw refused(cleanup, releasedError());
        }
        Propagated propagated = Propagated.capture(propagators(), reporter);
        TaskExtras extras = name == null && context == null && cleanup == null && group == null
                && propagated == null ? null : new TaskExtras(callback, name, context, cleanup, group, propagated);
        TaskImpl<S, R> task = new TaskImpl<>(table.nextId(), this, source, callback, extras);
        if (counts != null) {
            counts.started();
        }
        if (recordCreationSites) {
            task.recordCreationSite(new Throwable("task '" + task.name() + "' (#" + task.id + ") created here"));
        }
        try {
            table.add(task);
        } catch (IllegalStateException full) {
            if (counts != null) {
                counts.ended(TaskMetrics.Outcome.DISPOSED); // started above, so that a disposer's end never precedes it
            }
            throw refused(cleanup, new IllegalStateException(
                    "task service of '" + ownerName + "': task '" + task.name() + "' refused: " + full.getMessage(), full));
        }
        if (released) {
            task.dispose(); // runs the cleanup, unless the owner's disposal already did
            throw releasedError();
        }
        return task;
    }

    /**
     * For a task refused before it existed, here or by a closed group: runs
     * the cleanup the caller handed over (see {@code TaskService.create}),
     * reporting what it throws.
     *
     * @return {@code error}, for the caller to throw
     */
    IllegalStateException refused(Runnable cleanup, IllegalStateException error) {
        Failures failures = Failures.run(cleanup, Failures.REFUSED_CLEANUP, null);
        if (failures != null) {
            reporter.warn("task service of '" + ownerName + "': " + failures.describe(), Failures.first(failures));
        }
        return error;
    }

    @Override
    public EventContext defaultContext() {
        return defaultContext;
    }

    /**
     * The context propagators to capture with each new task; read once per
     * task, on the creating thread. The plain-Java runtime's are fixed;
     * the OSGi component's follow the service registry.
     *
     * @return an immutable snapshot; empty when there are none
     */
    protected List<ContextPropagator> propagators() {
        return propagators;
    }

    /**
     * Disposes every task of this owner still in flight and refuses new ones:
     * no callback runs afterwards, every cleanup runs. Idempotent.
     *
     * @return how many tasks this call disposed
     */
    public int disposeAll() {
        released = true;
        int disposed = 0;
        List<TaskImpl<?, ?>> dropped = new ArrayList<>();
        for (TaskImpl<?, ?> task : table.ownedBy(this)) {
            boolean awaitedItsCreator = task.awaitsOnlyItsCreator();
            if (task.dispose()) {
                disposed++;
                if (awaitedItsCreator) {
                    dropped.add(task);
                }
            }
        }
        reportDropped(dropped);
        return disposed;
    }

    /**
     * Whether each task created from now on records where it was created,
     * shown in the dropped-task report. Costs a stack trace per task.
     *
     * @param record true to record
     */
    public void recordCreationSites(boolean record) {
        this.recordCreationSites = record;
    }

    /**
     * GLib's "finalized without returning a value" warning: each task that
     * nothing but its creator could complete (see
     * {@link TaskImpl#awaitsOnlyItsCreator}) and that its owner's release
     * disposed, once, with its creation site if recorded.
     */
    private void reportDropped(List<TaskImpl<?, ?>> dropped) {
        for (int i = 0; i < dropped.size() && i < DROPPED_REPORTED_ONE_BY_ONE; i++) {
            TaskImpl<?, ?> task = dropped.get(i);
            Throwable site = task.creationSite();
            reporter.warn("task service of '" + ownerName + "': task '" + task.name() + "' (#" + task.id
                    + ") was dropped without ever finishing: nothing ran it in a thread or completed it before"
                    + " its owner went away" + (site != null ? "; it was created at the stack below"
                            : " (recordCreationSites shows where it was created)"), site);
        }
        if (dropped.size() > DROPPED_REPORTED_ONE_BY_ONE) {
            reporter.warn("task service of '" + ownerName + "': " + (dropped.size() - DROPPED_REPORTED_ONE_BY_ONE)
                    + " more tasks were dropped the same way", null);
        }
    }

    /**
     * {@link #disposeAll()}, then waits up to {@code grace} until every task
     * of this owner has finished: its worker and any callback already running
     * have returned and its cleanups have run. For an owner whose code must
     * not run any more afterwards (a stopping bundle). Tasks still running
     * after the grace period are reported to the log by name.
     *
     * @param grace how long to wait
     * @return true if every task finished in time
     */
    public boolean disposeAllAndAwait(Duration grace) {
        disposeAll();
        long deadline = System.nanoTime() + grace.toNanos();
        List<String> late = new ArrayList<>();
        for (TaskImpl<?, ?> task : table.ownedBy(this)) {
            if (!task.awaitFinished(deadline)) {
                late.add(task.name() + " (#" + task.id + ")");
            }
        }
        if (!late.isEmpty()) {
            reporter.warn("task service of '" + ownerName + "': tasks still running " + grace
                    + " after their owner went away: " + late, null);
        }
        return late.isEmpty();
    }

    String ownerName() {
        return ownerName;
    }

    TaskTable table() {
        return table;
    }

    ThreadRunner runner() {
        return runner;
    }

    Reporter reporter() {
        return reporter;
    }

    /**
     * Reports the error a task finished with that no callback took (through
     * {@link task.api.Task#propagateError()}): at the configured level for a
     * task that was neither cancelled nor disposed and whose error is no
     * {@link CancellationException}; at debug level
     * otherwise (or not at all when the level is OFF), since a cancellation (or a disposal, which never runs the
     * callback and may interrupt the worker) is a decision someone made, not a
     * failure nobody noticed. In the finishing thread; never throws.
     *
     * @param task the task, described for the message
     * @param cancelled the task was cancelled or disposed
     * @param untaken the error; not null
     */
    void untakenError(String task, boolean cancelled, Throwable untaken) {
        String message = task + ": finished with an error no callback took (a callback reads it with"
                + " propagateError())";
        if (untakenErrors == ReportLevel.OFF) {
            return;
        }
        if (cancelled || untaken instanceof CancellationException) {
            reporter.debug(message, untaken);
        } else {
            untakenErrors.report(reporter, message, untaken);
        }
    }

    void finished(TaskImpl<?, ?> task) {
        table.remove(task);
    }

    private IllegalStateException releasedError() {
        return new IllegalStateException("task service of '" + ownerName + "' has been released");
    }
}
