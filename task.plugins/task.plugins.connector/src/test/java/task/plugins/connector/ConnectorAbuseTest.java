package task.plugins.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCancelledException;
import task.impl.TaskRuntime;
import task.testing.LogCapture;
import task.testing.OpenFiles;
import task.testing.Problems;
import task.testing.StressMode;

/**
 * Issue 4, "Listener and connector under abuse on loopback", the
 * connector's half: thousands of connects (5,000 in the short mode, 200,000
 * with {@code -Dtask.stress.long=true}) from the test's thread, spread over
 * two started contexts and the default one, to a loopback server that
 * accepts and closes at once, interleaved with connects to a port nobody
 * listens on (refused), connects cancelled right after they start, and
 * connects cancelled by another thread racing the context.
 * <p>
 * Every task's callback runs exactly once, on its context, with the outcome
 * its kind allows (connected, refused, or cancelled exactly when a cancel
 * returned true); the callbacks take half of the connections and close them,
 * and every connection not taken is found closed after its task finished.
 * A warm-up round first absorbs the descriptors the JDK opens once per JVM;
 * then {@code /proc/self/fd} is counted before and after the measured round,
 * with the runtime still up (after each context polled once more) and after
 * it closed: not one descriptor may be left. Waits are on events under hang
 * guards; nothing asserts on time.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES) // a backstop for the long mode; every wait has its own guard
class ConnectorAbuseTest {
    private static final int CONNECTS = StressMode.count(5_000, 200_000);
    private static final int WARM_UP = 200;
    /** Tasks in flight at most, so the server's backlog never overflows. */
    private static final int IN_FLIGHT = 128;
    private static final int BACKLOG = 4096;
    /** Hang guards only. */
    private static final long GUARD_SECONDS = 60;

    /** What the test does with one connect. */
    enum Kind {
        /** To the server; the callback takes the channel and closes it. */
        TAKE,
        /** To the server; the callback leaves the channel to the task. */
        LEAVE,
        /** To the closed port. */
        REFUSED,
        /** To the server, cancelled by the test's thread right after the start. */
        CANCEL,
        /** To the closed port, cancelled right after the start. */
        CANCEL_REFUSED,
        /** To the server, cancelled by another thread as soon as it gets to it. */
        CANCEL_RACE
    }

    /** What a callback saw. */
    enum Seen {
        NOTHING, CONNECTED, REFUSED, CANCELLED, OTHER
    }

    static Kind kind(long seed, int index) {
        int roll = new SplittableRandom(seed + index).nextInt(100);
        return roll < 25 ? Kind.TAKE : roll < 50 ? Kind.LEAVE : roll < 65 ? Kind.REFUSED : roll < 80 ? Kind.CANCEL
                : roll < 88 ? Kind.CANCEL_REFUSED : Kind.CANCEL_RACE;
    }

    @Test
    void everyConnectEndsOnceAndLeavesNoDescriptorBehind() throws Exception {
        long seed = StressMode.seed();
        try (LogCapture log = new LogCapture("task.plugins.connector", "task.runtime")) {
            round(WARM_UP, seed, log, false);
            long fdsBefore = OpenFiles.count();
            Map<String, String> tableBefore = OpenFiles.list();
            long start = System.nanoTime();
            String counts = round(CONNECTS, seed, log, true);
            long fdsAfter = OpenFiles.count();
            StressMode.summary("connector abuse", counts + ", fds before=" + fdsBefore + " after=" + fdsAfter, seed,
                    start);
            assertEquals(fdsBefore, fdsAfter,
                    () -> "descriptors left open: " + OpenFiles.diff(tableBefore, OpenFiles.list()));
        }
    }

    private String round(int connects, long seed, LogCapture log, boolean measured) throws Exception {
        log.clear();
        TaskRuntime runtime = TaskRuntime.start();
        Problems problems = new Problems();
        ServerSocketChannel server = ServerSocketChannel.open();
        // Bound and never listening: connects to its port are refused, and nobody else can take the port.
        SocketChannel closedPort = SocketChannel.open();
        AtomicInteger accepted = new AtomicInteger();
        Thread acceptor = null;
        Thread canceller = null;
        BlockingQueue<Task<SocketAddress, Connection>> toCancel = new LinkedBlockingQueue<>();
        AtomicBoolean cancelling = new AtomicBoolean(true);
        try {
            server.bind(new InetSocketAddress(Loopback.V4, 0), BACKLOG);
            closedPort.bind(new InetSocketAddress(Loopback.V4, 0));
            SocketAddress listening = server.getLocalAddress();
            SocketAddress refusing = closedPort.getLocalAddress();
            acceptor = new Thread(() -> acceptAndClose(server, accepted, problems), "abuse-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            canceller = new Thread(() -> cancelAsTheyCome(toCancel, cancelling, problems), "abuse-canceller");
            canceller.setDaemon(true);
            canceller.start();
            List<EventContext> contexts = List.of(runtime.contexts().start("connect-a"),
                    runtime.contexts().start("connect-b"), runtime.defaultContext());
            // One connect per context opens its selector: the baseline of the round.
            for (EventContext context : contexts) {
                Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
                Connector.connect(runtime.tasks(), listening, context, outcome);
                outcome.await();
            }
            awaitAtLeast(accepted, contexts.size(), "the acceptor to take the baseline connects", problems);
            settle(contexts);
            long fdsUp = OpenFiles.count();
            Map<String, String> tableUp = OpenFiles.list();

            Semaphore inFlight = new Semaphore(IN_FLIGHT);
            AtomicIntegerArray calls = new AtomicIntegerArray(connects);
            AtomicIntegerArray seen = new AtomicIntegerArray(connects);
            AtomicReferenceArray<Connection> left = new AtomicReferenceArray<>(connects);
            boolean[] cancelled = new boolean[connects];
            int[] perKind = new int[Kind.values().length];
            AtomicInteger taken = new AtomicInteger();
            CountDownLatch allCalled = new CountDownLatch(connects);
            for (int i = 0; i < connects; i++) {
                Kind kind = kind(seed, i);
                perKind[kind.ordinal()]++;
                if (!inFlight.tryAcquire(GUARD_SECONDS, TimeUnit.SECONDS)) {
                    fail("no connect ended for " + GUARD_SECONDS + " s; " + allCalled.getCount() + " to go; problems: "
                            + problems);
                }
                EventContext context = contexts.get(i % contexts.size());
                int index = i;
                boolean toServer = kind != Kind.REFUSED && kind != Kind.CANCEL_REFUSED;
                Task<SocketAddress, Connection> task = Connector.connect(runtime.tasks(),
                        toServer ? listening : refusing, context, done -> {
                            try {
                                calls.incrementAndGet(index);
                                if (!context.inContext()) {
                                    problems.add("callback of #" + index + " ran off its context");
                                }
                                Throwable error = done.propagateError();
                                if (error == null) {
                                    seen.set(index, Seen.CONNECTED.ordinal());
                                    Connection connection = done.result();
                                    if (kind == Kind.TAKE) {
                                        connection.take().close();
                                        taken.incrementAndGet();
                                    } else {
                                        left.set(index, connection);
                                    }
                                } else if (error instanceof TaskCancelledException) {
                                    seen.set(index, Seen.CANCELLED.ordinal());
                                } else if (error instanceof ConnectException) {
                                    seen.set(index, Seen.REFUSED.ordinal());
                                } else {
                                    seen.set(index, Seen.OTHER.ordinal());
                                    problems.add("connect #" + index + " (" + kind + ") failed with " + error);
                                }
                            } catch (IOException | RuntimeException e) {
                                problems.add("callback of #" + index + ": " + e);
                            } finally {
                                inFlight.release();
                                allCalled.countDown();
                            }
                        });
                if (kind == Kind.CANCEL || kind == Kind.CANCEL_REFUSED) {
                    cancelled[i] = task.cancel(false, "abuse #" + i);
                } else if (kind == Kind.CANCEL_RACE) {
                    toCancel.add(task);
                }
            }
            if (!allCalled.await(GUARD_SECONDS, TimeUnit.SECONDS)) {
                fail(allCalled.getCount() + " callbacks never ran; problems: " + problems);
            }
            // The tasks finish right after their callbacks, on the same thread: one more poll of each
            // context and every cleanup has run, and the descriptors of closed watched channels are free.
            settle(contexts);

            problems.assertNone();
            int[] perSeen = new int[Seen.values().length];
            int cancelledByTest = 0;
            for (int i = 0; i < connects; i++) {
                Kind kind = kind(seed, i);
                Seen outcome = Seen.values()[seen.get(i)];
                perSeen[outcome.ordinal()]++;
                assertEquals(1, calls.get(i), "callbacks of connect #" + i + " (" + kind + ")");
                boolean toServer = kind != Kind.REFUSED && kind != Kind.CANCEL_REFUSED;
                if (cancelled[i]) {
                    cancelledByTest++;
                    assertEquals(Seen.CANCELLED, outcome, "connect #" + i + " whose cancel returned true");
                } else if (kind != Kind.CANCEL_RACE) {
                    assertEquals(toServer ? Seen.CONNECTED : Seen.REFUSED, outcome, "connect #" + i + " (" + kind
                            + ")");
                } else {
                    assertTrue(outcome == Seen.CONNECTED || outcome == Seen.CANCELLED,
                            "connect #" + i + " (" + kind + ") saw " + outcome);
                }
                Connection connection = left.get(i);
                if (connection != null && connection.channel().isOpen()) {
                    fail("connect #" + i + " (" + kind + "): the task left its connection open: " + connection);
                }
            }
            cancelling.set(false);
            canceller.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
            assertEquals(0, toCancel.size(), "cancels not tried");
            int connected = perSeen[Seen.CONNECTED.ordinal()];
            // Each connect that completed is accepted (and closed) by the server in turn.
            awaitAtLeast(accepted, contexts.size() + connected, "the acceptor to take every connected client",
                    problems);
            assertTrue(runtime.inspector().inFlight().isEmpty(), () -> "in flight: " + runtime.inspector().inFlight());
            assertEquals(List.of(), log.others(), "warnings");
            if (measured) {
                assertEquals(fdsUp, OpenFiles.count(), () -> "descriptors left open with the runtime up: "
                        + OpenFiles.diff(tableUp, OpenFiles.list()));
            }
            StringBuilder counts = new StringBuilder(connects + " connects (");
            for (Kind kind : Kind.values()) {
                counts.append(kind.name().toLowerCase()).append('=').append(perKind[kind.ordinal()]).append(' ');
            }
            counts.setLength(counts.length() - 1);
            counts.append("): connected=").append(connected).append(" (taken=").append(taken.get()).append(
                    "), refused=").append(perSeen[Seen.REFUSED.ordinal()]).append(", cancelled=").append(
                            perSeen[Seen.CANCELLED.ordinal()]).append(" (").append(cancelledByTest).append(
                                    " by the test's thread), server accepted ").append(accepted.get());
            return counts.toString();
        } finally {
            cancelling.set(false);
            runtime.close();
            server.close();
            closedPort.close();
            for (Thread thread : new Thread[] {acceptor, canceller}) {
                if (thread != null) {
                    thread.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
                    if (thread.isAlive()) {
                        fail(thread.getName() + " did not end");
                    }
                }
            }
        }
    }

    private static void acceptAndClose(ServerSocketChannel server, AtomicInteger accepted, Problems problems) {
        while (true) {
            try {
                // Closed before it is counted: a count the test sees means that
                // descriptor is free again, so the round's descriptor table is exact.
                server.accept().close();
            } catch (ClosedChannelException closed) {
                return; // the round is over
            } catch (IOException e) {
                problems.add("accept: " + e);
                return;
            }
            synchronized (accepted) {
                accepted.incrementAndGet();
                accepted.notifyAll();
            }
        }
    }

    private static void cancelAsTheyCome(BlockingQueue<Task<SocketAddress, Connection>> tasks, AtomicBoolean going,
            Problems problems) {
        try {
            while (going.get() || !tasks.isEmpty()) {
                Task<SocketAddress, Connection> task = tasks.poll(10, TimeUnit.MILLISECONDS);
                if (task != null) {
                    task.cancel(false, "raced");
                }
            }
        } catch (InterruptedException e) {
            problems.add("canceller interrupted");
        } catch (RuntimeException e) {
            problems.add("cancel threw " + e);
        }
    }

    private static void awaitAtLeast(AtomicInteger count, int target, String what, Problems problems)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        synchronized (count) {
            while (count.get() < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("gave up waiting for " + what + ": " + count.get() + " of " + target + "; problems: "
                            + problems);
                }
                TimeUnit.NANOSECONDS.timedWait(count, left);
            }
        }
    }

    /**
     * Waits until every context has run what was posted so far and polled
     * once more: a zero-delay timer fires only after the poll that follows
     * its registration, and that poll releases the descriptors of watched
     * channels closed before.
     */
    private static void settle(List<EventContext> contexts) throws InterruptedException {
        for (EventContext context : contexts) {
            CountDownLatch polled = new CountDownLatch(1);
            context.schedule(java.time.Duration.ZERO, polled::countDown);
            if (!polled.await(GUARD_SECONDS, TimeUnit.SECONDS)) {
                fail("context " + context.name() + " did not poll");
            }
        }
    }
}
