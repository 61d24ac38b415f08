package task.plugins.resolver;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;

/**
 * A callback that records what it saw: the task's error and result must be
 * read inside the callback (the task finishes after it), so this copies
 * them out, with the thread and whether it was the context's.
 * Written by the callback's thread; published through {@link #done}.
 */
public final class Outcome<S, R> implements TaskCallback<S, R> {
    private final EventContext context;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final AtomicInteger calls = new AtomicInteger();
    private volatile Throwable error;
    private volatile R result;
    private volatile Thread thread;
    private volatile boolean onContextThread;

    /** @param context the context the callback is expected on */
    public Outcome(EventContext context) {
        this.context = context;
    }

    @Override
    public void onComplete(Task<S, R> task) {
        thread = Thread.currentThread();
        onContextThread = context.inContext();
        error = task.propagateError();
        result = task.result();
        calls.incrementAndGet();
        done.complete(null);
    }

    /** Drives a caller-driven context in this thread until the callback has run. */
    public Outcome<S, R> drive() {
        while (!done.isDone()) {
            context.iterate(true);
        }
        return this;
    }

    /** Waits (without a timeout of its own) for a context with its own thread to run the callback. */
    public Outcome<S, R> await() throws InterruptedException, ExecutionException {
        done.get();
        return this;
    }

    public boolean isDone() {
        return done.isDone();
    }

    public int calls() {
        return calls.get();
    }

    public Throwable error() {
        return error;
    }

    public R result() {
        return result;
    }

    public Thread thread() {
        return thread;
    }

    public boolean onContextThread() {
        return onContextThread;
    }
}
