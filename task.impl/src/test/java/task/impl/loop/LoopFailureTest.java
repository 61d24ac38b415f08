package task.impl.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import task.impl.TestSupport;
import task.impl.log.Reporter;

/** Nothing thrown, by a callback, a tick, a watch, the reporter or the loop's own machinery, ends a context's thread. */
@Timeout(value = 30, unit = TimeUnit.SECONDS) // hang guard only
class LoopFailureTest {

    /** Throws from every call: with {@code errors}, Errors of the kinds a failing JDK logger throws. */
    private static final class ThrowingReporter implements Reporter {
        final AtomicInteger calls = new AtomicInteger();
        final boolean errors;

        ThrowingReporter(boolean errors) {
            this.errors = errors;
        }

        @Override
        public void warn(String message, Throwable failure) {
            throwSomething();
        }

        @Override
        public void debug(String message, Throwable failure) {
            throwSomething();
        }

        private void throwSomething() {
            int call = calls.incrementAndGet();
            if (!errors) {
                throw new IllegalStateException("reporter failure (expected by the test)");
            }
            if (call % 2 == 0) {
                throw new OutOfMemoryError("reporter failure (expected by the test)");
            }
            throw new ExceptionInInitializerError("reporter failure: no time-zone data (expected by the test)");
        }
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    @ParameterizedTest(name = "reporter throws errors={0}")
    @ValueSource(booleans = {false, true})
    void aThrowingReporterNeverEndsTheContextsThread(boolean errors) throws Exception {
        ThrowingReporter reporter = new ThrowingReporter(errors);
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8)); // the last resort writes there
        EventLoop loop = EventLoop.started("task-test-throwing-reporter", reporter, true, Duration.ofSeconds(10));
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.configureBlocking(false);
            CompletableFuture<Thread> first = new CompletableFuture<>();
            loop.post(() -> first.complete(Thread.currentThread()));
            Thread thread = TestSupport.get(first);

            loop.post(() -> {
                throw new IllegalStateException("event failure (expected by the test)");
            });
            loop.post(() -> recurse(0)); // a real StackOverflowError
            loop.post(() -> {
                throw new OutOfMemoryError("event failure (expected by the test)");
            });
            loop.schedule(Duration.ZERO, () -> {
                throw new ExceptionInInitializerError("one-shot timer failure (expected by the test)");
            });
            AtomicInteger ticks = new AtomicInteger();
            loop.every(Duration.ofMillis(1), () -> {
                if (ticks.incrementAndGet() == 1) {
                    throw new Error("tick failure (expected by the test)");
                }
                return false;
            });
            AtomicInteger watchCalls = new AtomicInteger();
            CompletableFuture<Boolean> accepted = new CompletableFuture<>();
            loop.watch(server, SelectionKey.OP_ACCEPT, ready -> {
                if (watchCalls.incrementAndGet() == 1) {
                    throw new StackOverflowError("watch failure (expected by the test)");
                }
                try (SocketChannel client = server.accept()) {
                    accepted.complete(client != null);
                } catch (IOException e) {
                    accepted.completeExceptionally(e);
                }
                return false;
            });
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                assertTrue(TestSupport.get(accepted), "the watch was kept after it threw");
            }
            TestSupport.spinUntil(() -> ticks.get() == 2);

            CompletableFuture<Thread> later = new CompletableFuture<>();
            loop.post(() -> later.complete(Thread.currentThread()));
            assertSame(thread, TestSupport.get(later), "a later post runs, on the same thread");
            assertTrue(thread.isAlive());
            assertFalse(loop.isClosed());
            assertTrue(reporter.calls.get() >= 6, "every failure went to the reporter: " + reporter.calls);
        } finally {
            loop.close();
            System.setErr(original);
        }
        String written = stderr.toString(StandardCharsets.UTF_8);
        assertTrue(written.contains("task.runtime WARNING: context 'task-test-throwing-reporter': an event threw"),
                "the last resort wrote the reports: " + written);
    }

    /**
     * A selector whose selections throw an Error the first {@code failures}
     * times: a failure inside an iteration where no callback runs.
     */
    private static final class FailingSelector extends AbstractSelector {
        final AtomicInteger failuresLeft;
        final Semaphore woken = new Semaphore(0);

        FailingSelector(int failures) {
            super(SelectorProvider.provider());
            failuresLeft = new AtomicInteger(failures);
        }

        private void maybeFail() {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new Error("selector failure (expected by the test)");
            }
        }

        @Override
        public int selectNow() {
            maybeFail();
            return 0;
        }

        @Override
        public int select(long timeout) {
            maybeFail();
            try {
                woken.tryAcquire(timeout == 0 ? Long.MAX_VALUE : timeout, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            woken.drainPermits();
            return 0;
        }

        @Override
        public int select() {
            return select(0);
        }

        @Override
        public Selector wakeup() {
            woken.release();
            return this;
        }

        @Override
        public Set<SelectionKey> keys() {
            return Set.of();
        }

        @Override
        public Set<SelectionKey> selectedKeys() {
            return new HashSet<>();
        }

        @Override
        protected void implCloseSelector() {
        }

        @Override
        protected SelectionKey register(AbstractSelectableChannel channel, int ops, Object attachment) {
            throw new UnsupportedOperationException("not used by the test");
        }
    }

    @Test
    void anErrorEscapingAnIterationIsReportedAndTheLoopGoesOn() throws Exception {
        RecordingReporter reporter = new RecordingReporter();
        EventLoop loop = EventLoop.started("task-test-failing-iteration", reporter, true, Duration.ofSeconds(10));
        try {
            FailingSelector failing = new FailingSelector(3);
            CompletableFuture<Thread> installed = new CompletableFuture<>();
            loop.post(() -> {
                // On the loop's thread, which alone uses its selector.
                try {
                    Field watchesField = EventLoop.class.getDeclaredField("watches");
                    watchesField.setAccessible(true);
                    Field selectorField = Watches.class.getDeclaredField("selector");
                    selectorField.setAccessible(true);
                    selectorField.set(watchesField.get(loop), failing);
                    installed.complete(Thread.currentThread());
                } catch (ReflectiveOperationException e) {
                    installed.completeExceptionally(e);
                }
            });
            Thread thread = TestSupport.get(installed);
            // The loop goes on by itself: three failing selections, then one
            // that waits. (A post made now could still run in the batch that
            // installed the selector, before any failure.)
            TestSupport.spinUntil(() -> failing.failuresLeft.get() < 0);
            for (int round = 0; round < 2; round++) {
                CompletableFuture<Thread> ran = new CompletableFuture<>();
                loop.post(() -> ran.complete(Thread.currentThread()));
                assertSame(thread, TestSupport.get(ran), "posts run after the failures, round " + round);
            }
            assertEquals(3, reporter.containing("an iteration failed; the context goes on").size(), "" + reporter.warnings);
            assertTrue(reporter.warnings.stream().allMatch(r -> r.failure() instanceof Error));
            assertFalse(loop.isClosed());
        } finally {
            loop.close();
        }
    }
}
