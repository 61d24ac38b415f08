package task.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;

import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.PromiseFactory;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskService;
import task.impl.TaskRuntime;

/** The peers by name, and the settings they share. */
public final class Peers {
    /** Ours: our runner with {@link #workers()} platform threads, completion on our default context. */
    public static final String OURS = "ours";
    /**
     * Ours with virtual threads (JDK 21+ only), as by default there: a
     * platform thread per core, and a virtual thread for each job that finds
     * them all waiting.
     */
    public static final String OURS_VIRTUAL = "ours-virtual";
    /** {@link #OURS} with the runtime's metrics off, to measure what they cost (not in the default peer lists). */
    public static final String OURS_NO_METRICS = "ours-no-metrics";
    /** Ours with the runtime's defaults (as {@link #OURS_VIRTUAL} where virtual threads exist, else 64 platform threads). */
    public static final String OURS_DEFAULT = "ours-default";
    /** Plain JDK executors: worker.execute(...) then loop.execute(...). */
    public static final String JDK = "jdk";
    /** CompletableFuture.supplyAsync(work, worker).thenAcceptAsync(cb, loop). */
    public static final String CF = "cf";
    /** CompletableFuture.supplyAsync(work) on the common pool, thenAcceptAsync(cb, loop). */
    public static final String CF_COMMON = "cf-common";
    /** OSGi Promises 1.3: a Deferred of a loop-bound PromiseFactory resolved by the worker. */
    public static final String PROMISE = "promise";
    /** Vert.x 5: executeBlocking(work, false) on an event-loop context, worker pool of {@link #workers()}. */
    public static final String VERTX = "vertx";
    /** Vert.x 5 with its default options (worker pool of 20). */
    public static final String VERTX_DEFAULT = "vertx-default";

    private Peers() {
    }

    /** @return the worker count every peer gets: -Dbench.workers, else the number of cores (at least 2) */
    public static int workers() {
        return Integer.getInteger("bench.workers", Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    /** @return whether this JVM has virtual threads */
    public static boolean hasVirtualThreads() {
        return Runtime.version().feature() >= 21;
    }

    /** @return the peers of the throughput, latency and idle measures on this JVM, ours first */
    public static List<String> standard() {
        List<String> names = new ArrayList<>(List.of(OURS));
        if (hasVirtualThreads()) {
            names.add(OURS_VIRTUAL);
        }
        names.addAll(List.of(JDK, CF, PROMISE, VERTX));
        return names;
    }

    /**
     * Starts a peer.
     *
     * @param name one of the names above
     * @param workers the worker count, where the peer has one
     * @return the running peer
     */
    public static Peer start(String name, int workers) {
        switch (name) {
        case OURS:
            return new Ours(name, TaskRuntime.builder().name("bench").virtualThreads(false).maxPlatformThreads(workers));
        case OURS_NO_METRICS:
            return new Ours(name, TaskRuntime.builder().name("bench").virtualThreads(false).maxPlatformThreads(workers)
                    .metrics(false));
        case OURS_VIRTUAL:
            if (!hasVirtualThreads()) {
                throw new IllegalStateException("ours-virtual needs JDK 21 or later");
            }
            return new Ours(name, TaskRuntime.builder().name("bench").virtualThreads(true));
        case OURS_DEFAULT:
            return new Ours(name, TaskRuntime.builder().name("bench"));
        case JDK:
            return new Jdk(workers);
        case CF:
            return new Cf(name, workers);
        case CF_COMMON:
            return new Cf(name, 0);
        case PROMISE:
            return new Promises(workers);
        case VERTX:
            return new VertxPeer(name, new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(workers));
        case VERTX_DEFAULT:
            return new VertxPeer(name, new VertxOptions().setEventLoopPoolSize(1));
        default:
            throw new IllegalArgumentException("unknown peer '" + name + "'");
        }
    }

    /** Ours: create, runInThread on the runner, complete on our event context, callback. */
    static final class Ours implements Peer {
        private final String name;
        private final TaskRuntime runtime;
        private final TaskService tasks;
        private final EventContext context;
        /** Confined to the loop, where every round trip starts. */
        private LongConsumer lastConsumer;
        private TaskCallback<Ours, Long> lastCallback;

        Ours(String name, TaskRuntime.Builder builder) {
            this.name = name;
            this.runtime = builder.start();
            this.tasks = runtime.tasks();
            this.context = runtime.defaultContext();
            if (name.equals(OURS_VIRTUAL) && !runtime.runner().usesVirtualThreads()) {
                runtime.close();
                throw new IllegalStateException("the runner does not use virtual threads on this JVM");
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void onLoop(Runnable action) {
            context.execute(action);
        }

        @Override
        public void roundTrip(long input, LongUnaryOperator work, LongConsumer callback) {
            // The source is an object the caller already has (as a socket or a
            // file would be); the worker's input is what it captures. The
            // callback does not depend on the round trip (the task carries
            // the result), so it is made once per consumer, as a user would.
            if (callback != lastConsumer) {
                lastConsumer = callback;
                lastCallback = t -> callback.accept(t.result());
            }
            Task<Ours, Long> task = tasks.create(this, lastCallback, null);
            task.runInThread(t -> t.setResult(work.applyAsLong(input)), null, context);
        }

        @Override
        public boolean onLoopThread() {
            return context.inContext();
        }

        @Override
        public void close() {
            runtime.close();
        }

        @Override
        public String toString() {
            return name + " (" + (runtime.runner().usesVirtualThreads() ? "virtual threads" : "platform threads") + ")";
        }
    }

    /** A single named daemon thread as "the loop", for the JDK-based peers. */
    static final class Loop {
        final ExecutorService executor;
        volatile Thread thread;

        Loop(String name) {
            this.executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                thread = t;
                return t;
            });
            // Start the thread now so that onLoopThread() can compare at once.
            try {
                executor.submit(() -> { }).get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static ExecutorService workerPool(String prefix, int workers) {
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, prefix + counter.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
        return Executors.newFixedThreadPool(workers, factory);
    }

    static void shutdown(ExecutorService... executors) {
        for (ExecutorService executor : executors) {
            if (executor != null) {
                executor.shutdownNow();
            }
        }
        for (ExecutorService executor : executors) {
            try {
                if (executor != null) {
                    executor.awaitTermination(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The JDK-based peers' common part: a single-thread executor as the loop
     * and a fixed pool of workers (none: the library's default executor).
     */
    abstract static class ExecutorPeer implements Peer {
        private final String name;
        final Loop loop;
        /** Null where the peer uses its library's default executor. */
        final ExecutorService worker;

        ExecutorPeer(String name, int workers) {
            this.name = name;
            this.loop = new Loop(name + "-loop");
            this.worker = workers > 0 ? workerPool(name + "-worker-", workers) : null;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void onLoop(Runnable action) {
            loop.executor.execute(action);
        }

        @Override
        public boolean onLoopThread() {
            return Thread.currentThread() == loop.thread;
        }

        @Override
        public void close() {
            shutdown(worker, loop.executor);
        }
    }

    /** Plain JDK executors: a fixed pool of workers, a single-thread executor as the loop. */
    static final class Jdk extends ExecutorPeer {
        Jdk(int workers) {
            super(JDK, workers);
        }

        @Override
        public void roundTrip(long input, LongUnaryOperator work, LongConsumer callback) {
            ExecutorService back = loop.executor;
            worker.execute(() -> {
                long result = work.applyAsLong(input);
                back.execute(() -> callback.accept(result));
            });
        }
    }

    /** CompletableFuture: supplyAsync on the workers (or the common pool), thenAcceptAsync on the loop. */
    static final class Cf extends ExecutorPeer {
        Cf(String name, int workers) {
            super(name, workers);
        }

        @Override
        public void roundTrip(long input, LongUnaryOperator work, LongConsumer callback) {
            CompletableFuture<Long> future = worker != null
                    ? CompletableFuture.supplyAsync(() -> work.applyAsLong(input), worker)
                    : CompletableFuture.supplyAsync(() -> work.applyAsLong(input));
            future.thenAcceptAsync(r -> callback.accept(r), loop.executor);
        }
    }

    /** OSGi Promises 1.3: a Deferred of a PromiseFactory whose callback executor is the loop. */
    static final class Promises extends ExecutorPeer {
        private final PromiseFactory factory;

        Promises(int workers) {
            super(PROMISE, workers);
            this.factory = new PromiseFactory(loop.executor);
        }

        @Override
        public void roundTrip(long input, LongUnaryOperator work, LongConsumer callback) {
            Deferred<Long> deferred = factory.deferred();
            deferred.getPromise().onSuccess(r -> callback.accept(r));
            worker.execute(() -> deferred.resolve(work.applyAsLong(input)));
        }
    }

    /** Vert.x 5: executeBlocking(work, false) called on an event-loop context, completion on that context. */
    static final class VertxPeer implements Peer {
        private final String name;
        private final Vertx vertx;
        private final Context context;

        VertxPeer(String name, VertxOptions options) {
            this.name = name;
            options.setBlockedThreadCheckInterval(TimeUnit.HOURS.toMillis(1));
            this.vertx = Vertx.vertx(options);
            this.context = vertx.getOrCreateContext();
            if (!context.isEventLoopContext()) {
                throw new IllegalStateException("not an event-loop context: " + context);
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void onLoop(Runnable action) {
            context.runOnContext(v -> action.run());
        }

        @Override
        public void roundTrip(long input, LongUnaryOperator work, LongConsumer callback) {
            context.executeBlocking(() -> work.applyAsLong(input), false).onSuccess(r -> callback.accept(r));
        }

        @Override
        public boolean onLoopThread() {
            return Vertx.currentContext() == context && Context.isOnEventLoopThread();
        }

        @Override
        public void close() {
            try {
                vertx.close().await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("closing Vert.x", e);
            }
        }
    }
}
