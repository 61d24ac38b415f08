package task.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import task.api.EventContext;
import task.api.Task;
import task.impl.TaskRuntime;
import task.plugins.connector.Connection;
import task.plugins.connector.Connector;

/**
 * The two connecting clients of the connect benchmark, each on one
 * event-loop thread, each keeping {@code inFlight} connects going until
 * {@code count} have connected; every connection is closed as soon as it is
 * made, with {@code SO_LINGER 0} (a reset, no TIME_WAIT to exhaust the
 * ephemeral ports of 127.0.0.1):
 * <ul>
 * <li>{@value #OURS}: the connector plugin's {@link Connector#connect}, to a
 * resolved address (no lookup), its callback on one started event context,
 * which starts the next connect; the task's cleanup closes the channel;</li>
 * <li>{@value #VERTX}: a Vert.x 5 {@link NetClient} on a Vert.x with one
 * event loop; each completed connect closes its socket and starts the next.</li>
 * </ul>
 * A failed connect fails the round with its error.
 */
final class ConnectClients {
    static final String OURS = "ours";
    static final String VERTX = "vertx";
    static final int TIMEOUT_SECONDS = 30;

    private ConnectClients() {
    }

    /** A client that connects to one address, {@code count} times per round. */
    abstract static class Client implements AutoCloseable {
        private final InetSocketAddress address;
        private final int inFlight;
        /** The round in progress; written by the JMH thread before its connects start. */
        private volatile Round round;

        Client(InetSocketAddress address, int inFlight) {
            this.address = address;
            this.inFlight = inFlight;
        }

        /** Connects {@code count} times, {@code inFlight} at once, and waits for the last. */
        final void connect(int count) throws InterruptedException, ExecutionException, TimeoutException {
            Round current = new Round(count);
            round = current;
            for (int i = 0; i < Math.min(inFlight, count); i++) {
                if (current.claim()) {
                    start(address);
                }
            }
            if (!current.done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new TimeoutException("connect: " + current.left() + " of " + count
                        + " connects not done within " + TIMEOUT_SECONDS + " s");
            }
            Throwable failure = current.failure.get();
            if (failure != null) {
                throw new ExecutionException("connect failed", failure);
            }
        }

        /** Starts one connect; its completion calls {@link #connected} or {@link #failed}. */
        abstract void start(InetSocketAddress to);

        /** A connect completed (on the client's loop): starts the next one, if any is left. */
        final void connected() {
            Round current = round;
            if (current.finishOne() && current.claim()) {
                start(address);
            }
        }

        final void failed(Throwable error) {
            round.fail(error);
        }

        @Override
        public abstract void close();
    }

    /**
     * One round's counters: connects not yet claimed (started) and not yet
     * finished. The JMH thread claims the first {@code inFlight} while the
     * client's loop may already be finishing some and claiming the next, so
     * both counters are atomics: each claim and each finish is counted once,
     * so exactly {@code count} connects start. {@code done} opens on the
     * last finish or on the first failure; the latch's count-down
     * happens-before the JMH thread's return from {@code await}, which then
     * reads {@code failure}.
     */
    private static final class Round {
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicInteger unclaimed;
        private final AtomicInteger unfinished;

        Round(int count) {
            unclaimed = new AtomicInteger(count);
            unfinished = new AtomicInteger(count);
        }

        boolean claim() {
            return unclaimed.getAndDecrement() > 0;
        }

        /** @return whether the round goes on */
        boolean finishOne() {
            if (unfinished.decrementAndGet() == 0) {
                done.countDown();
                return false;
            }
            return failure.get() == null;
        }

        void fail(Throwable error) {
            failure.compareAndSet(null, error);
            done.countDown();
        }

        int left() {
            return unfinished.get();
        }
    }

    static Client start(String name, InetSocketAddress address, int inFlight) {
        switch (name) {
        case OURS:
            return new Ours(address, inFlight);
        case VERTX:
            return new VertxClient(address, inFlight);
        default:
            throw new IllegalArgumentException("unknown connecting client: " + name);
        }
    }

    /** Connector.connect, callbacks on one started context. */
    static final class Ours extends Client {
        private final TaskRuntime runtime = TaskRuntime.start();
        private final EventContext context;

        Ours(InetSocketAddress address, int inFlight) {
            super(address, inFlight);
            try {
                context = runtime.contexts().start("bench-connect");
            } catch (RuntimeException e) {
                runtime.close();
                throw e;
            }
        }

        @Override
        void start(InetSocketAddress to) {
            Connector.connect(runtime.tasks(), to, context, this::done);
        }

        private void done(Task<?, Connection> task) {
            Throwable error = task.propagateError();
            if (error != null) {
                failed(error);
                return;
            }
            try {
                task.result().channel().setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException e) {
                failed(e);
                return;
            }
            connected(); // the task's cleanup closes the channel when this callback returns
        }

        @Override
        public void close() {
            try {
                context.close();
            } finally {
                runtime.close();
            }
        }
    }

    /** Vert.x 5 NetClient, one event loop. */
    static final class VertxClient extends Client {
        private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        private final NetClient client = vertx.createNetClient(new NetClientOptions().setSoLinger(0));

        VertxClient(InetSocketAddress address, int inFlight) {
            super(address, inFlight);
        }

        @Override
        void start(InetSocketAddress to) {
            client.connect(to.getPort(), to.getHostString()).onComplete(connect -> {
                if (connect.failed()) {
                    failed(connect.cause());
                    return;
                }
                connect.result().close();
                connected();
            });
        }

        @Override
        public void close() {
            try {
                client.close().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                vertx.close().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Vert.x did not close", e);
            }
        }
    }
}
