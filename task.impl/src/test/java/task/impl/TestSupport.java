package task.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import task.api.EventContext;

/**
 * Synchronisation helpers for the tests. The timeouts here only guard against
 * a hang (a failing test must not block the build); no assertion depends on
 * elapsed time.
 */
public final class TestSupport {
    /** Guard against hangs only. */
    public static final long GUARD_SECONDS = 10;

    private TestSupport() {
    }

    /** Starts a runtime and checks the runner mode it chose. */
    public static TaskRuntime runtime(boolean virtualThreads, int maxPlatformThreads) {
        return runtime(TaskRuntime.builder().virtualThreads(virtualThreads).maxPlatformThreads(maxPlatformThreads),
                virtualThreads);
    }

    /**
     * A runtime whose pool is one platform thread and nothing more (no
     * stand-in or growth thread, maxExtraThreads 0), so that a job queued
     * behind a blocked one stays queued: where virtual threads run, the
     * caller skips what needs a queue.
     */
    public static TaskRuntime strictPool(boolean virtualThreads) {
        return runtime(TaskRuntime.builder().virtualThreads(virtualThreads).maxPlatformThreads(1).maxExtraThreads(0),
                virtualThreads);
    }

    public static TaskRuntime runtime(TaskRuntime.Builder builder, boolean virtualThreads) {
        TaskRuntime runtime = builder.start();
        assertEquals(Runtime.version().feature() >= 21 && virtualThreads, runtime.runner().usesVirtualThreads(),
                "runner mode");
        return runtime;
    }

    /** Waits for a latch in a test thread; fails instead of hanging. */
    public static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(GUARD_SECONDS, TimeUnit.SECONDS), "timed out waiting for a latch");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted", e);
        }
    }

    /** Gets a future's value in a test thread; fails instead of hanging. */
    public static <T> T get(Future<T> future) {
        try {
            return future.get(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            throw new AssertionError("failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("timed out waiting for a future", e);
        }
    }

    /** Drives a caller-driven context in this thread until {@code done} holds. */
    public static void driveUntil(EventContext context, BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out driving context '" + context.name() + "'");
            }
            context.iterate(true);
        }
    }

    /**
     * Lets a context run everything posted so far: posts a marker and drives
     * (caller-driven) or waits (own thread) until it ran.
     */
    public static void flush(EventContext context, boolean callerDriven) {
        if (callerDriven) {
            AtomicBoolean ran = new AtomicBoolean();
            context.post(() -> ran.set(true));
            driveUntil(context, ran::get);
        } else {
            CompletableFuture<Void> ran = new CompletableFuture<>();
            context.post(() -> ran.complete(null));
            get(ran);
        }
    }

    /** Spins (no sleep) until {@code condition} holds, failing instead of hanging. */
    public static void spinUntil(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for a condition");
            }
            Thread.onSpinWait();
        }
    }
}
