package task.impl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

import task.api.EventContext;
import task.api.EventContextFactory;
import task.api.TaskInspector;
import task.api.TaskService;
import task.api.ThreadRunner;
import task.api.spi.ContextPropagator;
import task.api.spi.Operation;
import task.api.spi.OperationService;
import task.impl.core.TaskFactory;
import task.impl.core.TaskTable;
import task.impl.log.ReportLevel;
import task.impl.log.Reporter;
import task.impl.ops.OperationRegistry;
import task.impl.loop.EventLoop;
import task.impl.loop.LoopDirectory;
import task.impl.loop.LoopFactory;
import task.impl.metrics.MetricsBeans;
import task.impl.metrics.TaskMetrics;
import task.impl.runner.WorkerThreads;

/**
 * The task runtime without OSGi: a default event context on its own
 * thread, a thread runner, a task service, a context factory and an
 * inspector, with the same semantics as the OSGi services. Failures are
 * reported through {@link System.Logger} ({@code task.runtime}), guarded
 * ({@link Reporter#guarded}): a logger that throws falls back to
 * {@link System#err} and never ends a thread of the runtime.
 *
 * <pre>{@code
 * try (TaskRuntime runtime = TaskRuntime.start()) {
 *     Task<Path, Long> task = runtime.tasks().create(path, t -> {
 *         Throwable error = t.propagateError();
 *         System.out.println(error != null ? "failed: " + error : "size " + t.result());
 *     }, null);
 *     task.runInThread(t -> t.setResult(Files.size(t.source())));
 * }
 * }</pre>
 * Threading: every method may be called from any thread.
 */
public final class TaskRuntime implements AutoCloseable {
    private final Reporter reporter;
    private final EventLoop defaultContext;
    private final WorkerThreads runner;
    private final TaskTable table;
    /** The runtime's MBeans, or null with metrics off; unregistered by close. */
    private final MetricsBeans beans;
    private final TaskFactory tasks;
    private final LoopFactory contexts;
    private final OperationRegistry operations;
    private final LoopDirectory directory;
    private final Duration stopGrace;

    private TaskRuntime(Builder builder) {
        this.reporter = Reporter.guarded(Reporter.systemLogger("task.runtime"));
        this.stopGrace = builder.stopGrace;
        // Plugins first: a plugin the registry refuses must fail the start before any thread runs.
        this.operations = new OperationRegistry(reporter, stopGrace);
        for (Operation operation : ServiceLoader.load(Operation.class, builder.pluginLoader)) {
            operations.add(operation, operation.getClass().getName());
        }
        this.runner = WorkerThreads.start("task-worker-", builder.virtualThreads, builder.maxPlatformThreads,
                builder.maxExtraThreads, builder.starvationInterval, builder.keepAlive, reporter);
        this.directory = new LoopDirectory(builder.stallThreshold);
        TaskMetrics metrics = new TaskMetrics(builder.metrics);
        this.beans = builder.metrics ? new MetricsBeans(metrics, runner::stats, directory::stats, reporter) : null;
        this.table = new TaskTable(directory::describeOpen, metrics, directory::stats, runner::stats);
        this.defaultContext = directory.register(EventLoop.started("task-default-context", reporter, false,
                builder.contextCloseGrace));
        List<ContextPropagator> propagators = new ArrayList<>(builder.propagators);
        for (ContextPropagator propagator : ServiceLoader.load(ContextPropagator.class, builder.pluginLoader)) {
            propagators.add(propagator);
        }
        this.tasks = new TaskFactory(builder.name, runner, defaultContext, table, reporter, builder.untakenErrors,
                propagators);
        tasks.recordCreationSites(builder.recordCreationSites);
        this.contexts = new LoopFactory(reporter, directory, builder.contextCloseGrace);
    }

    /**
     * Starts a runtime with the defaults of {@link #builder()}.
     *
     * @return the running runtime
     */
    public static TaskRuntime start() {
        return builder().start();
    }

    /**
     * Describes a runtime to start.
     *
     * @return a builder with the defaults: name "plain-java", virtual threads
     *         where available (past one platform thread per core that waits),
     *         64 platform threads otherwise (256 extra for
     *         blocked workers and starvation, a 1 s starvation interval), 60 s
     *         keep-alive, 10 s grace for workers on close, 10 s grace for each
     *         context's running callback on close, stalls reported after 2 s,
     *         errors no callback took reported as warnings
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the task service, owned by this runtime's name */
    public TaskService tasks() {
        return tasks;
    }

    /** @return the default context; closing it is refused, {@link #close()} ends it */
    public EventContext defaultContext() {
        return defaultContext;
    }

    /** @return a factory of further contexts, closed with the runtime */
    public EventContextFactory contexts() {
        return contexts;
    }

    /** @return the thread runner */
    public ThreadRunner runner() {
        return runner;
    }

    /**
     * The operations of the plugins found on the class path (through
     * {@link ServiceLoader}, {@code META-INF/services/task.api.spi.Operation})
     * when the runtime started.
     *
     * @return the operation service
     */
    public OperationService operations() {
        return operations;
    }

    /** @return the inspector of tasks in flight and open contexts */
    public TaskInspector inspector() {
        return table;
    }

    /**
     * Stops the runtime: disposes the tasks in flight (no callback runs
     * afterwards; every cleanup runs), stops the runner (running workers are
     * interrupted and waited for up to the stop grace), then closes every
     * context, the default one last, running the events already posted, and
     * stops the stall checker. A context whose callback still runs after the
     * context close grace (the factory's contexts share one grace, the default
     * context has its own) is reported with its thread's stack and left to
     * end by itself when the callback returns (see {@link EventLoop#close()}):
     * close then returns, so it takes at most about the stop grace plus twice
     * the context close grace. Idempotent; must not be called from a callback
     * of the runtime's contexts. Any other thread.
     */
    @Override
    public void close() {
        tasks.disposeAll();
        if (!runner.stop(stopGrace)) {
            reporter.warn("task runtime: some workers did not stop within " + stopGrace, null);
        }
        contexts.closeAll();
        defaultContext.shutdown();
        directory.close();
        if (beans != null) {
            beans.close();
        }
    }

    /** The settings of a runtime to start. Not thread-safe. */
    public static final class Builder {
        private String name = "plain-java";
        private boolean virtualThreads = true;
        private int maxPlatformThreads = 64;
        private int maxExtraThreads = WorkerThreads.DEFAULT_MAX_EXTRA_THREADS;
        private Duration starvationInterval = Duration.ofMillis(WorkerThreads.DEFAULT_STARVATION_MILLIS);
        private Duration keepAlive = Duration.ofSeconds(60);
        private Duration stopGrace = Duration.ofSeconds(10);
        private Duration contextCloseGrace = EventLoop.DEFAULT_CLOSE_GRACE;
        private Duration stallThreshold = LoopDirectory.DEFAULT_STALL_THRESHOLD;
        private ReportLevel untakenErrors = ReportLevel.WARNING;
        private boolean metrics = true;
        private boolean recordCreationSites;
        private ClassLoader pluginLoader = TaskRuntime.class.getClassLoader();
        private final List<ContextPropagator> propagators = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds a context propagator, captured with every task of the runtime,
         * before those {@link ServiceLoader} finds through the plugin loader
         * ({@code META-INF/services/task.api.spi.ContextPropagator}).
         *
         * @param propagator carries a thread's context into the tasks' workers and callbacks; not null
         * @return this builder
         */
        public Builder contextPropagator(ContextPropagator propagator) {
            propagators.add(Objects.requireNonNull(propagator, "propagator"));
            return this;
        }

        /**
         * @param pluginLoader where {@link ServiceLoader} looks for operation plugins and context propagators
         * @return this builder
         */
        public Builder pluginLoader(ClassLoader pluginLoader) {
            this.pluginLoader = Objects.requireNonNull(pluginLoader, "pluginLoader");
            return this;
        }

        /**
         * @param name the owner name the runtime's tasks are listed under
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * @param virtualThreads false to use platform threads only even where virtual threads exist
         *        (true, the default: at most one platform thread per core, and a virtual thread for
         *        each worker that finds them all waiting)
         * @return this builder
         */
        public Builder virtualThreads(boolean virtualThreads) {
            this.virtualThreads = virtualThreads;
            return this;
        }

        /**
         * @param maxPlatformThreads the platform threads that run workers at once, at least 1; 64 by
         *        default; with virtual threads at most one per core
         * @return this builder
         */
        public Builder maxPlatformThreads(int maxPlatformThreads) {
            this.maxPlatformThreads = maxPlatformThreads;
            return this;
        }

        /**
         * The platform threads allowed beyond {@link #maxPlatformThreads}:
         * one per worker blocked in the runtime ({@code waitThread} and the
         * like), one per worker seen waiting outside it (a sleep, a latch, a
         * lock: its thread state, looked at every 5 ms while jobs are queued
         * in a full pool), and those added when queued work starves; their
         * sum is a hard cap on the pool's threads. Unused with virtual
         * threads, which take their place.
         *
         * @param maxExtraThreads at least 0 (0: a strict bound, and a worker waiting for a task
         *        it started may then wait for ever in a full pool), 256 by default
         * @return this builder
         */
        public Builder maxExtraThreads(int maxExtraThreads) {
            this.maxExtraThreads = maxExtraThreads;
            return this;
        }

        /**
         * @param starvationInterval how long queued work may wait with no job taken before a
         *        full platform pool adds a thread (doubled per thread added, up to 64 times this),
         *        positive, 1 s by default
         * @return this builder
         */
        public Builder starvationInterval(Duration starvationInterval) {
            this.starvationInterval = Objects.requireNonNull(starvationInterval, "starvationInterval");
            return this;
        }

        /**
         * @param keepAlive how long an idle platform thread lives, positive
         * @return this builder
         */
        public Builder keepAlive(Duration keepAlive) {
            this.keepAlive = Objects.requireNonNull(keepAlive, "keepAlive");
            return this;
        }

        /**
         * @param stopGrace how long {@link TaskRuntime#close()} waits for running workers
         * @return this builder
         */
        public Builder stopGrace(Duration stopGrace) {
            this.stopGrace = Objects.requireNonNull(stopGrace, "stopGrace");
            return this;
        }

        /**
         * How long closing a context (its {@code close()}, or the runtime's)
         * waits for a callback still running on it before it warns, with the
         * thread's stack, and returns; see {@link EventLoop#close()}.
         *
         * @param contextCloseGrace not null, not negative; zero waits for nothing
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder contextCloseGrace(Duration contextCloseGrace) {
            this.contextCloseGrace = nonNegative("contextCloseGrace", contextCloseGrace);
            return this;
        }

        /**
         * How long one event, task completion, timer tick or I/O callback may
         * run on a context before it is reported as a stall (once per
         * dispatch, with the thread's stack; see {@link LoopDirectory}). 2 s
         * by default, as Vert.x uses for its event loops: far above any
         * callback that does not block (microseconds), well below what a user
         * notices as a hang.
         *
         * @param stallThreshold not null, not negative; zero turns the check off
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder stallThreshold(Duration stallThreshold) {
            this.stallThreshold = nonNegative("stallThreshold", stallThreshold);
            return this;
        }

        /**
         * The level an error no callback took is reported at when its task
         * finishes ({@link ReportLevel#WARNING} by default, so that a
         * forgotten {@code propagateError()} does not lose a failure). A
         * cancelled or disposed task's error, and a cancellation, go at debug
         * level (unless OFF): cancelling is a decision, not a failure
         * nobody noticed.
         *
         * @param untakenErrors not null; {@link ReportLevel#OFF} reports none at all
         * @return this builder
         */
        public Builder untakenErrors(ReportLevel untakenErrors) {
            this.untakenErrors = Objects.requireNonNull(untakenErrors, "untakenErrors");
            return this;
        }

        /**
         * Whether each task records where it was created (a stack trace per
         * task, so off by default), shown when a task is dropped without
         * ever finishing: GLib's "finalized without returning" warning
         * names the task; this names its creator too.
         *
         * @param record true to record
         * @return this builder
         */
        public Builder recordCreationSites(boolean record) {
            this.recordCreationSites = record;
            return this;
        }

        /**
         * Whether the tasks record metrics (on by default): counts per owner
         * and per operation, queue and run time of each worker run, read
         * through {@link TaskRuntime#inspector()}'s {@code stats()}. Off,
         * the tasks take no timestamps for it and every count stays 0.
         *
         * @param record true to record
         * @return this builder
         */
        public Builder metrics(boolean record) {
            this.metrics = record;
            return this;
        }

        private static Duration nonNegative(String setting, Duration value) {
            Objects.requireNonNull(value, setting);
            if (value.isNegative()) {
                throw new IllegalArgumentException("task runtime: " + setting + " must not be negative, got " + value);
            }
            return value;
        }

        /**
         * Starts the runtime.
         *
         * @return the running runtime
         * @throws IllegalArgumentException if a setting is out of range
         */
        public TaskRuntime start() {
            if (name.isBlank()) {
                throw new IllegalArgumentException("task runtime: name must not be blank, got '" + name + "'");
            }
            if (stopGrace.isNegative()) {
                throw new IllegalArgumentException("task runtime: stopGrace must not be negative, got " + stopGrace);
            }
            return new TaskRuntime(this);
        }
    }
}
