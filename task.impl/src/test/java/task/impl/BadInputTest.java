package task.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskState;
import task.api.spi.Operation;
import task.api.spi.OperationInfo;
import task.api.spi.OperationRequest;

/**
 * Bad input to every public method of the API as the plain-Java runtime
 * implements it: null, empty, blank, malformed and out-of-range values, and
 * calls in the wrong state. Each row names the call, the exception type the
 * javadoc promises and fragments its message must contain (the operation and
 * the value). After every row nothing may be left open: no task in flight,
 * no job in the runner, no new {@code task-*} thread, no channel registered
 * with a selector, every cleanup of the row's own tasks run exactly once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // hang guard only
class BadInputTest {
    private static final Duration NEGATIVE = Duration.ofSeconds(-1);

    @TempDir
    static Path pluginDir;
    private static URLClassLoader pluginLoader;
    private static TaskRuntime runtime;

    // ------------------------------------------------------------------ test plugins (ServiceLoader)

    /** A well-behaved operation: {@code echo TEXT} completes inline with TEXT, rejecting a blank one. */
    public static final class EchoOperation implements Operation {
        @Override
        public String name() {
            return "echo";
        }

        @Override
        public String description() {
            return "echoes its argument";
        }

        @Override
        public List<Argument> arguments() {
            return List.of(new Argument("text", "what to echo, not blank", true));
        }

        @Override
        public void start(Task<OperationRequest, Object> task) {
            String text = task.source().argument(0, "text");
            if (text.isBlank()) {
                throw new IllegalArgumentException("echo: text must not be blank, got '" + text + "'");
            }
            task.setResult(text);
            task.complete();
        }
    }

    /** A plugin whose name is blank: the runtime must refuse it. */
    public static final class BlankNameOperation implements Operation {
        @Override
        public String name() {
            return "  ";
        }

        @Override
        public String description() {
            return "has a blank name";
        }

        @Override
        public List<Argument> arguments() {
            return List.of();
        }

        @Override
        public void start(Task<OperationRequest, Object> task) {
            task.complete();
        }
    }

    private static URLClassLoader loaderOffering(Path dir, Class<? extends Operation> provider) throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(Operation.class.getName()), provider.getName() + "\n");
        return new URLClassLoader(new URL[] { dir.toUri().toURL() }, BadInputTest.class.getClassLoader());
    }

    @BeforeAll
    static void startRuntime() throws Exception {
        pluginLoader = loaderOffering(pluginDir.resolve("echo"), EchoOperation.class);
        // One platform worker that lives for the whole class (on JDK 17), and
        // no extra thread, so that "no new thread" compares like with like;
        // virtual threads where available.
        runtime = TaskRuntime.builder().name("bad-input").maxPlatformThreads(1).maxExtraThreads(0)
                .keepAlive(Duration.ofDays(1))
                .pluginLoader(pluginLoader).start();
        assertEquals(List.of("echo"), runtime.operations().operations().stream().map(OperationInfo::name).toList());
        Task<String, Object> warmUp = runtime.tasks().create("warm-up", t -> { }, null);
        warmUp.runInThread(t -> t.setResult("warm"));
        warmUp.waitThread();
        TestSupport.spinUntil(() -> runtime.runner().activeCount() == 0);
    }

    @AfterAll
    static void stopRuntime() throws IOException {
        if (runtime != null) {
            runtime.close();
        }
        if (pluginLoader != null) {
            pluginLoader.close();
        }
    }

    // ------------------------------------------------------------------ the table

    /** Prepares a row's world (outside the assertion) and returns the one bad call. */
    @FunctionalInterface
    interface Call {
        Executable prepare(Fixture f) throws Throwable;
    }

    /**
     * One row.
     *
     * @param description what is called with what
     * @param call the preparation and the bad call
     * @param expected the exact exception type, or null when the call must return normally
     *        (its own assertions then check the answer)
     * @param fragments what the message must contain
     */
    record Row(String description, Call call, Class<? extends Throwable> expected, List<String> fragments) {
        @Override
        public String toString() {
            return description;
        }
    }

    private static Row fails(String description, Class<? extends Throwable> expected, Call call, String... fragments) {
        return new Row(description, call, expected, Arrays.asList(fragments));
    }

    private static Row returns(String description, Call call) {
        return new Row(description, call, null, List.of());
    }

    private static EventContext defaultContext() {
        return runtime.defaultContext();
    }

    static Stream<Row> table() {
        List<Row> rows = new ArrayList<>();
        taskService(rows);
        builder(rows);
        taskWrongState(rows);
        defaultContextRows(rows);
        contextFactory(rows);
        inspector(rows);
        operationService(rows);
        records(rows);
        runtimeBuilder(rows);
        return rows.stream();
    }

    private static void taskService(List<Row> rows) {
        rows.add(fails("TaskService.create: null source", NullPointerException.class,
                f -> () -> runtime.tasks().create(null, t -> { }, null), "source"));
        rows.add(fails("TaskService.create: null callback", NullPointerException.class,
                f -> () -> runtime.tasks().create("src", null, null), "callback"));
        rows.add(fails("TaskService.builder: null source", NullPointerException.class,
                f -> () -> runtime.tasks().builder(null, t -> { }), "source"));
        rows.add(fails("TaskService.builder: null callback", NullPointerException.class,
                f -> () -> runtime.tasks().builder("src", null), "callback"));
        rows.add(fails("TaskService.create: on a closed runtime", IllegalStateException.class,
                f -> {
                    TaskRuntime closed = f.closedRuntime();
                    return () -> closed.tasks().create("src", t -> { }, null);
                }, "task service of 'closed-runtime'", "released"));
        rows.add(fails("Builder.create: on a closed runtime", IllegalStateException.class,
                f -> {
                    task.api.TaskService.Builder<String, Object> builder =
                            f.closedRuntime().tasks().builder("src", t -> { });
                    return builder::create;
                }, "task service of 'closed-runtime'", "released"));
    }

    private static void builder(List<Row> rows) {
        rows.add(fails("Builder.name: null", NullPointerException.class,
                f -> {
                    var builder = runtime.tasks().builder("src", t -> { });
                    return () -> builder.name(null);
                }, "name"));
        rows.add(fails("Builder.name: empty", IllegalArgumentException.class,
                f -> {
                    var builder = runtime.tasks().builder("src", t -> { });
                    return () -> builder.name("");
                }, "task builder", "name must not be blank", "''"));
        rows.add(fails("Builder.name: blank", IllegalArgumentException.class,
                f -> {
                    var builder = runtime.tasks().builder("src", t -> { });
                    return () -> builder.name(" \t");
                }, "task builder", "name must not be blank", "' \t'"));
        rows.add(returns("Builder.cleanup(null) and context(null) are allowed: the default context, no cleanup",
                f -> {
                    var builder = runtime.tasks().<String, Object>builder("src", t -> { });
                    return () -> {
                        Task<String, Object> task = f.track(builder.cleanup(null).context(null).create());
                        assertEquals(TaskState.PENDING, task.state());
                        task.complete();
                        assertEquals(TaskState.FINISHED, task.state());
                    };
                }));
        rows.add(fails("Builder.name: a rejected name leaves the builder usable and creates nothing",
                IllegalArgumentException.class,
                f -> {
                    var builder = runtime.tasks().<String, Object>builder("src", t -> { }).name("kept");
                    f.then(() -> {
                        assertEquals(List.of(), runtime.inspector().inFlight());
                        Task<String, Object> task = f.track(builder.create());
                        assertEquals("kept", task.name());
                    });
                    return () -> builder.name("   ");
                }, "task builder", "'   '"));
    }

    private static void taskWrongState(List<Row> rows) {
        rows.add(fails("Task.runInThread: null worker (the task stays PENDING)", NullPointerException.class,
                f -> {
                    Task<String, Object> task = f.pending();
                    f.then(() -> assertEquals(TaskState.PENDING, task.state()));
                    return () -> task.runInThread(null);
                }, "worker"));
        rows.add(fails("Task.runInThread: null worker with a context", NullPointerException.class,
                f -> {
                    Task<String, Object> task = f.pending();
                    f.then(() -> assertEquals(TaskState.PENDING, task.state()));
                    return () -> task.runInThread(null, null, defaultContext());
                }, "worker"));
        rows.add(fails("Task.runInThread: twice", IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.blockedInThread();
                    return () -> task.runInThread(t -> fail("second worker ran"));
                }, "runInThread", "already runs in a thread", "#"));
        rows.add(fails("Task.runInThread: on a finished task (its cleanup is not run)", IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.finished();
                    AtomicInteger cleanups = new AtomicInteger();
                    f.then(() -> assertEquals(0, cleanups.get()));
                    return () -> task.runInThread(t -> fail("worker ran"), cleanups::incrementAndGet, null);
                }, "runInThread", "has finished", "task-"));
        rows.add(fails("Task.runInThread: from its own callback (completing)", IllegalStateException.class,
                f -> {
                    AtomicReference<Throwable> inCallback = new AtomicReference<>();
                    Task<String, Object> task = f.pending(t -> inCallback.set(
                            assertThrows(Throwable.class, () -> t.runInThread(w -> fail("worker ran")))));
                    return () -> {
                        task.complete();
                        throw inCallback.get();
                    };
                }, "runInThread", "completing"));
        rows.add(fails("Task.runInThreadSync: null worker", NullPointerException.class,
                f -> {
                    Task<String, Object> task = f.pending();
                    return () -> task.runInThreadSync(null, null);
                }, "worker"));
        rows.add(fails("Task.runInThreadSync: while it runs in a thread", IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.blockedInThread();
                    return () -> task.runInThreadSync(t -> fail("second worker ran"), null);
                }, "runInThreadSync", "already runs in a thread", "#"));
        rows.add(fails("Task.completeLater: while it runs in a thread", IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.blockedInThread();
                    return task::completeLater;
                }, "completeLater", "runs in a thread"));
        rows.add(fails("Task.completeLater: on a finished task", IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.finished();
                    return task::completeLater;
                }, "completeLater", "has finished"));
        rows.add(fails("Task.attachTimer: null delay", NullPointerException.class,
                f -> {
                    Task<String, Object> task = f.pending();
                    return () -> task.attachTimer(null, () -> { });
                }, "delay"));
        rows.add(fails("Task.attachTimer: on a finished task", IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.finished();
                    return () -> task.attachTimer(java.time.Duration.ZERO, () -> fail("fired"));
                }, "attachTimer", "has finished"));
        rows.add(fails("Task.attachWatch: null channel", NullPointerException.class,
                f -> {
                    Task<String, Object> task = f.pending();
                    return () -> task.attachWatch(null, java.nio.channels.SelectionKey.OP_READ, ops -> false);
                }, "channel"));
        rows.add(fails("Task.setCleanup: on a finished task (the new cleanup is not run)",
                IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.finished();
                    return () -> task.setCleanup(() -> fail("cleanup ran"));
                }, "setCleanup", "has finished"));
        rows.add(fails("Task.setPrefixedError: null prefix", NullPointerException.class,
                f -> {
                    Task<String, Object> task = f.pending();
                    return () -> task.setPrefixedError(null, new java.io.IOException("below"));
                }, "prefix"));
        rows.add(fails("TaskService.reportError: null error", NullPointerException.class,
                f -> () -> runtime.tasks().reportError("src", t -> fail("callback ran"), null, null, null), "error"));
        rows.add(fails("TaskService.future: a start that returns no task", NullPointerException.class,
                f -> () -> runtime.tasks().future(done -> null), "TaskService.future", "returned no task"));
        rows.add(fails("Task.complete: while it runs in a thread", IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.blockedInThread();
                    return task::complete;
                }, "complete", "runs in a thread"));
        rows.add(fails("Task.complete: twice (finished)", IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.finished();
                    return task::complete;
                }, "complete", "has finished"));
        rows.add(fails("Task.complete: from its own callback", IllegalStateException.class,
                f -> {
                    AtomicReference<Throwable> inCallback = new AtomicReference<>();
                    Task<String, Object> task = f.pending(t -> inCallback.set(assertThrows(Throwable.class, t::complete)));
                    f.then(() -> assertEquals(1, f.callbacks.get(), "the callback ran once"));
                    return () -> {
                        task.complete();
                        throw inCallback.get();
                    };
                }, "complete", "already completing"));
        rows.add(fails("Task.setError: on a finished task", IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.finished();
                    return () -> task.setError(new IOException("late"));
                }, "setError", "has finished"));
        rows.add(returns("Task.setError(null) does nothing", f -> {
            Task<String, Object> task = f.pending();
            return () -> {
                task.setError(null);
                assertEquals(null, task.propagateError());
            };
        }));
        rows.add(fails("Task.setResult: on a finished task (the cleanup is not run)", IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.finished();
                    AtomicInteger cleanups = new AtomicInteger();
                    f.then(() -> assertEquals(0, cleanups.get()));
                    return () -> task.setResult("late", r -> cleanups.incrementAndGet());
                }, "setResult", "has finished"));
        rows.add(fails("Task.result: on a finished task", IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.finished();
                    return task::result;
                }, "result", "has finished"));
        rows.add(fails("Task.propagateError: on a finished task", IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.finished();
                    return task::propagateError;
                }, "propagateError", "has finished"));
        rows.add(fails("Task.source: on a finished task", IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.finished();
                    return task::source;
                }, "source", "has finished"));
        rows.add(fails("Task.onCancel: null hook", NullPointerException.class,
                f -> {
                    Task<String, Object> task = f.pending();
                    return () -> task.onCancel(null);
                }, "hook"));
        rows.add(fails("Task.onCancel: on a finished task (the hook never runs)", IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.finished();
                    AtomicInteger hooks = new AtomicInteger();
                    f.then(() -> assertEquals(0, hooks.get()));
                    return () -> task.onCancel(hooks::incrementAndGet);
                }, "onCancel", "has finished"));
        rows.add(returns("Task.cancel/dispose: on a finished task return false", f -> {
            Task<String, Object> task = f.finished();
            return () -> {
                assertFalse(task.cancel(true));
                assertFalse(task.cancel(false, null));
                assertFalse(task.dispose());
                assertEquals(TaskState.FINISHED, task.state());
                assertTrue(task.name().startsWith("task-"));
            };
        }));
        rows.add(returns("Task.cancel: twice, with a null reason: the second returns false", f -> {
            Task<String, Object> task = f.pending();
            return () -> {
                assertTrue(task.cancel(false, null));
                assertFalse(task.cancel(true, "again"));
                f.awaitFinished(task);
                assertEquals(1, f.callbacks.get());
            };
        }));
        rows.add(fails("Task.waitThread: on a task that does not run in a thread", IllegalStateException.class,
                f -> {
                    Task<String, Object> task = f.pending();
                    f.then(() -> assertEquals(TaskState.PENDING, task.state()));
                    return task::waitThread;
                }, "waitThread", "does not run in a thread"));
        rows.add(fails("Task.waitThread: from its own worker", IllegalStateException.class,
                f -> {
                    AtomicReference<Throwable> inWorker = new AtomicReference<>();
                    Task<String, Object> task = f.pending();
                    task.runInThread(t -> inWorker.set(assertThrows(Throwable.class, t::waitThread)));
                    return () -> {
                        f.awaitFinished(task); // completed on the default context
                        throw inWorker.get();
                    };
                }, "waitThread", "own worker"));
        rows.add(fails("Task.waitThread: from its own callback (on the default context)", IllegalStateException.class,
                f -> {
                    AtomicReference<Throwable> inCallback = new AtomicReference<>();
                    Task<String, Object> task = f.pending(t -> inCallback.set(assertThrows(Throwable.class, t::waitThread)));
                    task.runInThread(t -> t.setResult("done"));
                    return () -> {
                        f.awaitFinished(task); // the callback ran on the default context
                        throw inCallback.get();
                    };
                }, "waitThread", "own callback"));
    }

    private static void defaultContextRows(List<Row> rows) {
        rows.add(fails("EventContext.post: null event", NullPointerException.class,
                f -> () -> defaultContext().post(null), "event"));
        rows.add(fails("EventContext.execute: null event", NullPointerException.class,
                f -> () -> defaultContext().execute(null), "event"));
        rows.add(fails("EventContext.schedule: null delay", NullPointerException.class,
                f -> () -> defaultContext().schedule(null, () -> fail("ran")), "delay"));
        rows.add(fails("EventContext.schedule: null event", NullPointerException.class,
                f -> () -> defaultContext().schedule(Duration.ZERO, null), "event"));
        rows.add(fails("EventContext.schedule: negative delay", IllegalArgumentException.class,
                f -> () -> defaultContext().schedule(NEGATIVE, () -> fail("ran")),
                "schedule: delay must not be negative, got PT-1S"));
        rows.add(fails("EventContext.schedule: minus one nanosecond", IllegalArgumentException.class,
                f -> () -> defaultContext().schedule(Duration.ofNanos(-1), () -> fail("ran")),
                "schedule", "PT-0.000000001S"));
        rows.add(fails("EventContext.every: null period", NullPointerException.class,
                f -> () -> defaultContext().every(null, () -> false), "period"));
        rows.add(fails("EventContext.every: null tick", NullPointerException.class,
                f -> () -> defaultContext().every(Duration.ofSeconds(1), null), "tick"));
        rows.add(fails("EventContext.every: zero period", IllegalArgumentException.class,
                f -> () -> defaultContext().every(Duration.ZERO, () -> fail("ticked")),
                "every: period must be positive, got PT0S"));
        rows.add(fails("EventContext.every: negative period", IllegalArgumentException.class,
                f -> () -> defaultContext().every(NEGATIVE, () -> fail("ticked")), "every", "PT-1S"));
        rows.add(fails("EventContext.watch: null channel", NullPointerException.class,
                f -> () -> defaultContext().watch(null, SelectionKey.OP_READ, ops -> false), "channel"));
        rows.add(fails("EventContext.watch: null callback", NullPointerException.class,
                f -> {
                    SocketChannel channel = f.nonBlocking();
                    return () -> defaultContext().watch(channel, SelectionKey.OP_READ, null);
                }, "callback"));
        rows.add(fails("EventContext.watch: empty ops", IllegalArgumentException.class,
                f -> {
                    SocketChannel channel = f.nonBlocking();
                    return () -> defaultContext().watch(channel, 0, ops -> fail("called"));
                }, "watch", "ops 0", "valid ops"));
        rows.add(fails("EventContext.watch: negative ops", IllegalArgumentException.class,
                f -> {
                    SocketChannel channel = f.nonBlocking();
                    return () -> defaultContext().watch(channel, -1, ops -> fail("called"));
                }, "watch", "ops -1"));
        rows.add(fails("EventContext.watch: OP_ACCEPT on a socket channel", IllegalArgumentException.class,
                f -> {
                    SocketChannel channel = f.nonBlocking();
                    return () -> defaultContext().watch(channel, SelectionKey.OP_ACCEPT, ops -> fail("called"));
                }, "watch", "ops " + SelectionKey.OP_ACCEPT, "SocketChannel"));
        rows.add(fails("EventContext.watch: OP_READ on a server channel", IllegalArgumentException.class,
                f -> {
                    ServerSocketChannel channel = f.trackChannel(ServerSocketChannel.open());
                    channel.configureBlocking(false);
                    return () -> defaultContext().watch(channel, SelectionKey.OP_READ, ops -> fail("called"));
                }, "watch", "ops " + SelectionKey.OP_READ, "ServerSocketChannel"));
        rows.add(fails("EventContext.watch: a channel in blocking mode", IllegalArgumentException.class,
                f -> {
                    SocketChannel channel = f.trackChannel(SocketChannel.open());
                    return () -> defaultContext().watch(channel, SelectionKey.OP_READ, ops -> fail("called"));
                }, "watch", "blocking mode", "SocketChannel"));
        rows.add(fails("EventContext.watch: a closed channel", IllegalArgumentException.class,
                f -> {
                    SocketChannel channel = f.nonBlocking();
                    channel.close();
                    return () -> defaultContext().watch(channel, SelectionKey.OP_READ, ops -> fail("called"));
                }, "watch", "is closed", "SocketChannel"));
        rows.add(fails("EventContext.iterate: the default context, driven by its own thread",
                IllegalStateException.class,
                f -> () -> defaultContext().iterate(false), "iterate", "task-default-context", "driven by"));
        rows.add(fails("EventContext.close: the default context", UnsupportedOperationException.class,
                f -> () -> defaultContext().close(), "close", "task-default-context"));
        rows.add(returns("EventContext.close: refused, the default context is still open", f -> () -> {
            assertThrows(UnsupportedOperationException.class, defaultContext()::close);
            assertFalse(defaultContext().isClosed());
            TestSupport.flush(defaultContext(), false);
        }));
        rows.add(fails("EventContext.post: a closed context", RejectedExecutionException.class,
                f -> {
                    EventContext context = f.closedContext("task-test-closed");
                    return () -> context.post(() -> fail("ran"));
                }, "task-test-closed", "closed"));
        rows.add(fails("EventContext.schedule: a closed context", RejectedExecutionException.class,
                f -> {
                    EventContext context = f.closedContext("task-test-closed");
                    return () -> context.schedule(Duration.ZERO, () -> fail("ran"));
                }, "task-test-closed", "closed"));
        rows.add(fails("EventContext.watch: a closed context", RejectedExecutionException.class,
                f -> {
                    EventContext context = f.closedContext("task-test-closed");
                    SocketChannel channel = f.nonBlocking();
                    return () -> context.watch(channel, SelectionKey.OP_READ, ops -> fail("called"));
                }, "task-test-closed", "closed"));
        rows.add(fails("EventContext.iterate: a closed caller-driven context", IllegalStateException.class,
                f -> {
                    EventContext context = f.closedContext("task-test-closed");
                    return () -> context.iterate(false);
                }, "iterate", "task-test-closed", "closed"));
    }

    private static void contextFactory(List<Row> rows) {
        for (String method : List.of("create", "start", "adopt", "adopt with a thread test")) {
            rows.add(fails("EventContextFactory." + method + ": null name", NullPointerException.class,
                    f -> () -> factoryCall(method, null), "name"));
            rows.add(fails("EventContextFactory." + method + ": empty name", IllegalArgumentException.class,
                    f -> () -> factoryCall(method, ""), "event context", "name must not be blank", "''"));
            rows.add(fails("EventContextFactory." + method + ": blank name", IllegalArgumentException.class,
                    f -> () -> factoryCall(method, "  "), "event context", "name must not be blank", "'  '"));
            rows.add(fails("EventContextFactory." + method + ": on a closed runtime", IllegalStateException.class,
                    f -> {
                        TaskRuntime closed = f.closedRuntime();
                        return () -> factoryCall(closed, method, "task-test-late");
                    }, "event context factory", "released"));
        }
        rows.add(fails("EventContextFactory.adopt: null executor", NullPointerException.class,
                f -> () -> runtime.contexts().adopt("task-test-adopted", null), "executor"));
        rows.add(fails("EventContextFactory.adopt: null executor, with a thread test", NullPointerException.class,
                f -> () -> runtime.contexts().adopt("task-test-adopted", null, () -> false), "executor"));
        rows.add(fails("EventContextFactory.adopt: null thread test", NullPointerException.class,
                f -> () -> runtime.contexts().adopt("task-test-adopted", Runnable::run, null), "isExecutorThread"));
        rows.add(fails("EventContext.iterate: an adopted executor's context", IllegalStateException.class,
                f -> {
                    EventContext adopted = runtime.contexts().adopt("task-test-adopted", Runnable::run);
                    f.trackCloseable(adopted);
                    return () -> adopted.iterate(false);
                }, "iterate", "task-test-adopted", "driven by its executor"));
    }

    private static EventContext factoryCall(String method, String name) {
        return factoryCall(runtime, method, name);
    }

    private static EventContext factoryCall(TaskRuntime on, String method, String name) {
        EventContext made = switch (method) {
            case "create" -> on.contexts().create(name);
            case "start" -> on.contexts().start(name);
            case "adopt" -> on.contexts().adopt(name, Runnable::run);
            default -> on.contexts().adopt(name, Runnable::run, () -> false);
        };
        made.close(); // not reached when the row passes
        return made;
    }

    private static void inspector(List<Row> rows) {
        for (long id : new long[] { -1, 0, Long.MIN_VALUE, Long.MAX_VALUE, 987_654_321 }) {
            rows.add(returns("TaskInspector.find(" + id + "): empty", f -> () ->
                    assertEquals(Optional.empty(), runtime.inspector().find(id))));
            rows.add(returns("TaskInspector.cancel(" + id + "): false", f -> () ->
                    assertFalse(runtime.inspector().cancel(id))));
        }
        rows.add(returns("TaskInspector.find/cancel: a finished task's id: empty, false", f -> {
            Task<String, Object> task = f.finished();
            return () -> {
                assertEquals(Optional.empty(), runtime.inspector().find(task.id()));
                assertFalse(runtime.inspector().cancel(task.id()));
            };
        }));
    }

    private static void operationService(List<Row> rows) {
        TaskCallback<OperationRequest, Object> never = t -> fail("callback ran");
        rows.add(fails("OperationService.start: null tasks", NullPointerException.class,
                f -> () -> runtime.operations().start(null, "echo", List.of("x"), null, never), "tasks"));
        rows.add(fails("OperationService.start: null name", NullPointerException.class,
                f -> () -> runtime.operations().start(runtime.tasks(), null, List.of("x"), null, never), "name"));
        rows.add(fails("OperationService.start: null arguments", NullPointerException.class,
                f -> () -> runtime.operations().start(runtime.tasks(), "echo", null, null, never), "arguments"));
        rows.add(fails("OperationService.start: null callback", NullPointerException.class,
                f -> () -> runtime.operations().start(runtime.tasks(), "echo", List.of("x"), null, null), "callback"));
        rows.add(fails("OperationService.start: unknown name", IllegalArgumentException.class,
                f -> () -> runtime.operations().start(runtime.tasks(), "nope", List.of(), null, never),
                "no operation 'nope'", "registered: echo"));
        rows.add(fails("OperationService.start: empty name", IllegalArgumentException.class,
                f -> () -> runtime.operations().start(runtime.tasks(), "", List.of(), null, never),
                "no operation ''"));
        rows.add(fails("OperationService.start: an argument list containing null", NullPointerException.class,
                f -> () -> runtime.operations().start(runtime.tasks(), "echo", Arrays.asList("a", null), null, never),
                "echo", "argument 1", "null"));
        rows.add(fails("OperationService.start: a missing argument (the registry rejects it)",
                IllegalArgumentException.class,
                f -> () -> runtime.operations().start(runtime.tasks(), "echo", List.of(), null, never),
                "echo: missing argument TEXT (usage: echo TEXT)"));
        rows.add(fails("OperationService.start: too many arguments (the registry rejects them)",
                IllegalArgumentException.class,
                f -> () -> runtime.operations().start(runtime.tasks(), "echo", List.of("a", "b"), null, never),
                "echo: too many arguments [a, b] (usage: echo TEXT)"));
        rows.add(fails("OperationService.start: a blank argument (the operation rejects it)",
                IllegalArgumentException.class,
                f -> () -> runtime.operations().start(runtime.tasks(), "echo", List.of(" "), null, never),
                "echo", "' '"));
        rows.add(fails("OperationService.find: null name", NullPointerException.class,
                f -> () -> runtime.operations().find(null), "name"));
        rows.add(returns("OperationService.find: unknown and empty names: empty", f -> () -> {
            assertEquals(Optional.empty(), runtime.operations().find("nope"));
            assertEquals(Optional.empty(), runtime.operations().find(""));
        }));
    }

    private static void records(List<Row> rows) {
        rows.add(fails("OperationRequest: null operation", NullPointerException.class,
                f -> () -> new OperationRequest(null, List.of(), defaultContext(), runtime.tasks()), "operation"));
        rows.add(fails("OperationRequest: null arguments", NullPointerException.class,
                f -> () -> new OperationRequest("echo", null, defaultContext(), runtime.tasks()), "arguments"));
        rows.add(fails("OperationRequest: an argument is null", NullPointerException.class,
                f -> () -> new OperationRequest("echo", Arrays.asList(null, "b"), defaultContext(), runtime.tasks()),
                "echo", "argument 0", "null"));
        rows.add(fails("OperationRequest: null context", NullPointerException.class,
                f -> () -> new OperationRequest("echo", List.of(), null, runtime.tasks()), "context"));
        rows.add(fails("OperationRequest: null tasks", NullPointerException.class,
                f -> () -> new OperationRequest("echo", List.of(), defaultContext(), null), "tasks"));
        rows.add(fails("OperationRequest: blank operation", IllegalArgumentException.class,
                f -> () -> new OperationRequest(" ", List.of(), defaultContext(), runtime.tasks()),
                "operation request", "operation must not be blank", "' '"));
        rows.add(fails("OperationRequest.argument: missing", IllegalArgumentException.class,
                f -> () -> new OperationRequest("echo", List.of(), defaultContext(), runtime.tasks()).argument(0, "text"),
                "echo: missing argument text"));
        rows.add(fails("OperationRequest.argument: negative index", IllegalArgumentException.class,
                f -> () -> new OperationRequest("echo", List.of("a"), defaultContext(), runtime.tasks())
                        .argument(-1, "text"),
                "echo", "argument text", "-1"));
        rows.add(fails("OperationInfo: null name", NullPointerException.class,
                f -> () -> new OperationInfo(null, "d", List.of(), "p"), "name"));
        rows.add(fails("OperationInfo: null description", NullPointerException.class,
                f -> () -> new OperationInfo("n", null, List.of(), "p"), "description"));
        rows.add(fails("OperationInfo: null arguments", NullPointerException.class,
                f -> () -> new OperationInfo("n", "d", null, "p"), "arguments"));
        rows.add(fails("OperationInfo: an argument is null", NullPointerException.class,
                f -> () -> new OperationInfo("n", "d", Arrays.asList((Operation.Argument) null), "p"),
                "operation info 'n'", "argument 0", "null"));
        rows.add(fails("OperationInfo: null provider", NullPointerException.class,
                f -> () -> new OperationInfo("n", "d", List.of(), null), "provider"));
        rows.add(fails("OperationInfo: blank name", IllegalArgumentException.class,
                f -> () -> new OperationInfo(" ", "d", List.of(), "p"), "operation info", "name must not be blank", "' '"));
        rows.add(fails("Operation.Argument: null name", NullPointerException.class,
                f -> () -> new Operation.Argument(null, "d", true), "name"));
        rows.add(fails("Operation.Argument: null description", NullPointerException.class,
                f -> () -> new Operation.Argument("n", null, true), "description"));
        rows.add(fails("Operation.Argument: empty name", IllegalArgumentException.class,
                f -> () -> new Operation.Argument("", "d", true), "operation argument", "name must not be blank", "''"));
        rows.add(fails("Operation.Argument: blank name", IllegalArgumentException.class,
                f -> () -> new Operation.Argument("\t", "d", false), "operation argument", "name must not be blank",
                "'\t'"));
    }

    private static void runtimeBuilder(List<Row> rows) {
        rows.add(fails("TaskRuntime.Builder.maxPlatformThreads(0)", IllegalArgumentException.class,
                f -> () -> f.startRuntime(TaskRuntime.builder().maxPlatformThreads(0)),
                "maxPlatformThreads must be at least 1, got 0"));
        rows.add(fails("TaskRuntime.Builder.maxPlatformThreads(-1)", IllegalArgumentException.class,
                f -> () -> f.startRuntime(TaskRuntime.builder().maxPlatformThreads(-1).virtualThreads(false)),
                "maxPlatformThreads", "got -1"));
        rows.add(fails("TaskRuntime.Builder.keepAlive(ZERO)", IllegalArgumentException.class,
                f -> () -> f.startRuntime(TaskRuntime.builder().keepAlive(Duration.ZERO)),
                "keepAlive must be positive, got PT0S"));
        rows.add(fails("TaskRuntime.Builder.keepAlive(negative)", IllegalArgumentException.class,
                f -> () -> f.startRuntime(TaskRuntime.builder().keepAlive(NEGATIVE).virtualThreads(false)),
                "keepAlive", "got PT-1S"));
        rows.add(fails("TaskRuntime.Builder.keepAlive(null)", NullPointerException.class,
                f -> () -> TaskRuntime.builder().keepAlive(null), "keepAlive"));
        rows.add(fails("TaskRuntime.Builder.stopGrace(null)", NullPointerException.class,
                f -> () -> TaskRuntime.builder().stopGrace(null), "stopGrace"));
        rows.add(fails("TaskRuntime.Builder.stopGrace(negative)", IllegalArgumentException.class,
                f -> () -> f.startRuntime(TaskRuntime.builder().stopGrace(NEGATIVE)),
                "task runtime", "stopGrace must not be negative, got PT-1S"));
        rows.add(fails("TaskRuntime.Builder.contextCloseGrace(null)", NullPointerException.class,
                f -> () -> TaskRuntime.builder().contextCloseGrace(null), "contextCloseGrace"));
        rows.add(fails("TaskRuntime.Builder.contextCloseGrace(negative)", IllegalArgumentException.class,
                f -> () -> TaskRuntime.builder().contextCloseGrace(NEGATIVE),
                "task runtime: contextCloseGrace must not be negative, got PT-1S"));
        rows.add(fails("TaskRuntime.Builder.stallThreshold(null)", NullPointerException.class,
                f -> () -> TaskRuntime.builder().stallThreshold(null), "stallThreshold"));
        rows.add(fails("TaskRuntime.Builder.stallThreshold(negative)", IllegalArgumentException.class,
                f -> () -> TaskRuntime.builder().stallThreshold(NEGATIVE),
                "task runtime: stallThreshold must not be negative, got PT-1S"));
        rows.add(fails("TaskRuntime.Builder.untakenErrors(null)", NullPointerException.class,
                f -> () -> TaskRuntime.builder().untakenErrors(null), "untakenErrors"));
        rows.add(fails("TaskRuntime.Builder.name(null)", NullPointerException.class,
                f -> () -> TaskRuntime.builder().name(null), "name"));
        rows.add(fails("TaskRuntime.Builder.name(blank)", IllegalArgumentException.class,
                f -> () -> f.startRuntime(TaskRuntime.builder().name(" ")),
                "task runtime", "name must not be blank", "' '"));
        rows.add(fails("TaskRuntime.Builder.pluginLoader(null)", NullPointerException.class,
                f -> () -> TaskRuntime.builder().pluginLoader(null), "pluginLoader"));
        rows.add(fails("TaskRuntime.Builder.start: a plugin with a blank name starts no thread",
                IllegalArgumentException.class,
                f -> {
                    URLClassLoader blank = f.trackCloseable(loaderOffering(pluginDir.resolve("blank"), BlankNameOperation.class));
                    return () -> f.startRuntime(TaskRuntime.builder().pluginLoader(blank));
                }, BlankNameOperation.class.getName(), "name must not be blank", "'  '"));
    }

    // ------------------------------------------------------------------ the test

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void failsClearlyAndLeavesNothingOpen(Row row) throws Throwable {
        Set<Thread> threadsBefore = ourThreads();
        Fixture f = new Fixture();
        try {
            Executable call = row.call().prepare(f);
            if (row.expected() == null) {
                call.execute();
            } else {
                Throwable thrown = assertThrows(Throwable.class, call, row.description() + " did not fail");
                assertSame(row.expected(), thrown.getClass(), () -> row.description() + ": wrong exception " + thrown);
                String message = thrown.getMessage();
                assertNotNull(message, row.description() + ": no message");
                for (String fragment : row.fragments()) {
                    assertTrue(message.contains(fragment),
                            () -> row.description() + ": message '" + message + "' lacks '" + fragment + "'");
                }
            }
            for (Runnable check : f.checks) {
                check.run();
            }
            // Let the default context run whatever the call may have posted (a
            // watch's registration, a timer); then no channel may be registered.
            TestSupport.flush(defaultContext(), false);
            for (SelectableChannel channel : f.channels) {
                assertFalse(channel.isRegistered(), () -> "a channel is registered after: " + row.description());
            }
        } finally {
            f.close();
        }
        TestSupport.flush(defaultContext(), false);
        assertEquals(List.of(), runtime.inspector().inFlight(), "tasks in flight after: " + row.description());
        TestSupport.spinUntil(() -> runtime.runner().activeCount() == 0); // hang guard only
        assertEquals(f.expectedCleanups, f.cleanups.get(), "every cleanup of the row's tasks ran once");
        assertEquals(threadsBefore, ourThreads(), "task-* threads after: " + row.description());
    }

    /** Live platform threads named task-*; workers on virtual threads are covered by the runner's count. */
    private static Set<Thread> ourThreads() {
        Set<Thread> ours = new HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && thread.getName().startsWith("task-")) {
                ours.add(thread);
            }
        }
        return ours;
    }

    /** What a row prepares; closed after the row, before the "nothing open" checks. */
    static final class Fixture {
        final List<Task<String, Object>> tasks = new ArrayList<>();
        final List<CountDownLatch> releases = new ArrayList<>();
        final List<SelectableChannel> channels = new ArrayList<>();
        final List<AutoCloseable> closeables = new ArrayList<>();
        final List<Runnable> checks = new ArrayList<>();
        final AtomicInteger callbacks = new AtomicInteger();
        final AtomicInteger cleanups = new AtomicInteger();
        int expectedCleanups;

        Task<String, Object> pending() {
            return pending(t -> { });
        }

        Task<String, Object> pending(TaskCallback<String, Object> callback) {
            expectedCleanups++;
            return track(runtime.tasks().create("bad-input source", t -> {
                callbacks.incrementAndGet();
                callback.onComplete(t);
            }, cleanups::incrementAndGet));
        }

        Task<String, Object> track(Task<String, Object> task) {
            tasks.add(task);
            return task;
        }

        Task<String, Object> finished() {
            Task<String, Object> task = pending();
            task.complete();
            assertEquals(TaskState.FINISHED, task.state());
            return task;
        }

        /** A task whose worker blocks until the row ends. */
        Task<String, Object> blockedInThread() {
            Task<String, Object> task = pending();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            releases.add(release);
            task.runInThread(t -> {
                started.countDown();
                release.await();
            });
            TestSupport.await(started);
            return task;
        }

        SocketChannel nonBlocking() throws IOException {
            SocketChannel channel = trackChannel(SocketChannel.open());
            channel.configureBlocking(false);
            return channel;
        }

        <C extends SelectableChannel> C trackChannel(C channel) {
            channels.add(channel);
            return channel;
        }

        <C extends AutoCloseable> C trackCloseable(C closeable) {
            closeables.add(closeable);
            return closeable;
        }

        EventContext closedContext(String name) {
            EventContext context = runtime.contexts().create(name);
            context.close();
            assertTrue(context.isClosed());
            return context;
        }

        TaskRuntime closedRuntime() {
            TaskRuntime closed = TaskRuntime.builder().name("closed-runtime").start();
            closed.close();
            return closed;
        }

        /** Starts a runtime that must not start; closes it if it does. */
        void startRuntime(TaskRuntime.Builder builder) {
            TaskRuntime started = builder.start();
            started.close();
            fail("the runtime started");
        }

        void then(Runnable check) {
            checks.add(check);
        }

        void awaitFinished(Task<String, Object> task) {
            TestSupport.spinUntil(() -> task.state() == TaskState.FINISHED); // hang guard only
        }

        void close() throws Exception {
            releases.forEach(CountDownLatch::countDown);
            for (Task<String, Object> task : tasks) {
                if (task.state() == TaskState.PENDING) {
                    task.dispose();
                }
                awaitFinished(task);
            }
            for (SelectableChannel channel : channels) {
                channel.close();
            }
            for (AutoCloseable closeable : closeables) {
                closeable.close();
            }
        }
    }
}
