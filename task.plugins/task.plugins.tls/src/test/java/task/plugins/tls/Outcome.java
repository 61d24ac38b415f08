package task.plugins.tls;

import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;

/**
 * A callback that records what it saw: the error or the result, and whether
 * it ran on the context's thread. {@link #drive()} iterates a caller-driven
 * context until the callback has run; {@link #await()} waits for a context
 * with its own thread.
 */
public final class Outcome<S, R> implements TaskCallback<S, R> {
    private final EventContext context;
    private final Consumer<Task<S, R>> alsoInCallback;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile Throwable error;
    private volatile R result;
    private volatile boolean onContext;
    private volatile int calls;
    private volatile Throwable thrown;

    public Outcome(EventContext context) {
        this(context, task -> { });
    }

    /** @param alsoInCallback runs inside the callback, after the outcome is recorded */
    public Outcome(EventContext context, Consumer<Task<S, R>> alsoInCallback) {
        this.context = context;
        this.alsoInCallback = alsoInCallback;
    }

    @Override
    public void onComplete(Task<S, R> task) {
        try {
            calls++;
            onContext = context.inContext();
            error = task.propagateError();
            result = error == null ? task.result() : null;
            alsoInCallback.accept(task);
        } catch (RuntimeException | Error e) {
            // The loop reports and swallows a callback's exception: keep it for the test.
            thrown = e;
            throw e;
        } finally {
            done.countDown();
        }
    }

    /** Iterates the (caller-driven) context until the callback has run; the task has finished then. */
    public Outcome<S, R> drive() {
        while (done.getCount() > 0) {
            iterate(context);
        }
        return this;
    }

    /**
     * One blocking iteration of a caller-driven context, unless the thread
     * is interrupted: JUnit's timeout interrupts the test's thread, which
     * wakes the selector but would otherwise leave a loop of iterations
     * spinning for ever.
     */
    public static void iterate(EventContext context) {
        if (Thread.interrupted()) {
            throw new AssertionError("interrupted, before what the test waits for: did it time out?");
        }
        context.iterate(true);
    }

    /** Waits until the callback has run on a context with its own thread. */
    public Outcome<S, R> await() throws InterruptedException {
        done.await();
        return this;
    }

    public boolean isDone() {
        return done.getCount() == 0;
    }

    public Throwable error() {
        return error;
    }

    public R result() {
        return result;
    }

    public boolean ranOnContext() {
        return onContext;
    }

    public int calls() {
        return calls;
    }

    /** @return what the test's own part of the callback threw, or null */
    public Throwable thrown() {
        return thrown;
    }
}
