package task.impl.loop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

import task.api.EventContext;
import task.api.EventContextFactory;
import task.impl.log.Reporter;

/**
 * Creates event contexts for one owner and closes those still open when the
 * owner goes away ({@link #closeAll()}). A context created concurrently with
 * that call is closed by one of the two: none escapes. Every context gets the
 * factory's close grace (see {@link EventLoop#close()}). Adopted executors
 * ({@link ExecutorContext}) share the directory's timer and I/O thread
 * ({@link ExecutorHops}).
 */
public class LoopFactory implements EventContextFactory {
    private final Reporter reporter;
    private final LoopDirectory directory;
    private final Duration closeGrace;
    private final Set<EventLoop> open = ConcurrentHashMap.newKeySet();
    private final Set<ExecutorContext> adopted = ConcurrentHashMap.newKeySet();
    private volatile boolean released;

    /**
     * Creates a factory.
     *
     * @param reporter where the contexts report failing callbacks; not null
     * @param directory where the runtime lists its contexts; not null
     * @param closeGrace how long closing one of the contexts waits for a
     *        running callback; not negative
     * @throws IllegalArgumentException if the grace is negative
     */
    public LoopFactory(Reporter reporter, LoopDirectory directory, Duration closeGrace) {
        this.reporter = Reporter.guarded(reporter);
        this.directory = Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(closeGrace, "closeGrace");
        if (closeGrace.isNegative()) {
            throw new IllegalArgumentException("event contexts: closeGrace must not be negative, got " + closeGrace);
        }
        this.closeGrace = closeGrace;
    }

    @Override
    public EventContext create(String name) {
        return track(EventLoop.driven(name, reporter, closeGrace));
    }

    @Override
    public EventContext start(String name) {
        checkOpen();
        return track(EventLoop.started(name, reporter, true, closeGrace));
    }

    private EventContext track(EventLoop loop) {
        checkOpen();
        // Contexts their users closed leave the set here, so it stays as
        // small as the number of contexts open.
        open.removeIf(EventLoop::isClosed);
        open.add(loop);
        directory.register(loop);
        if (released) {
            open.remove(loop);
            loop.shutdown();
            checkOpen();
        }
        return loop;
    }

    @Override
    public EventContext adopt(String name, Executor executor) {
        return adoptExecutor(name, executor, null);
    }

    @Override
    public EventContext adopt(String name, Executor executor, BooleanSupplier isExecutorThread) {
        return adoptExecutor(name, executor, Objects.requireNonNull(isExecutorThread, "isExecutorThread"));
    }

    private EventContext adoptExecutor(String name, Executor executor, BooleanSupplier isExecutorThread) {
        checkOpen();
        ExecutorContext context = new ExecutorContext(name, executor, isExecutorThread, reporter, directory.hops(),
                closeGrace);
        // As track(): closed ones leave, and a release racing this closes the new one.
        adopted.removeIf(ExecutorContext::isClosed);
        adopted.add(context);
        directory.register(context);
        if (released) {
            adopted.remove(context);
            context.close();
            checkOpen();
        }
        return context;
    }

    private void checkOpen() {
        if (released) {
            throw new IllegalStateException("event context factory has been released");
        }
    }

    /**
     * Closes every context this factory created, draining each as
     * {@link EventContext#close()} does, and refuses new ones. Every context
     * is told to close first, and then all are waited for together: the call
     * waits at most one close grace in all, however many contexts are stuck
     * (each stuck one is reported, as by its close). Idempotent; any thread.
     */
    public void closeAll() {
        released = true;
        long deadline = System.nanoTime() + EventLoop.saturatedNanos(closeGrace);
        List<EventLoop> closing = new ArrayList<>();
        for (EventLoop loop : open) {
            open.remove(loop);
            loop.startShutdown();
            closing.add(loop);
        }
        List<ExecutorContext> closingAdopted = new ArrayList<>();
        for (ExecutorContext context : adopted) {
            adopted.remove(context);
            context.startShutdown();
            closingAdopted.add(context);
        }
        for (EventLoop loop : closing) {
            loop.awaitTermination(deadline);
        }
        for (ExecutorContext context : closingAdopted) {
            context.awaitTermination(deadline);
        }
    }
}
