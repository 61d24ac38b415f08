package task.impl.loop;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import task.api.EventContext;
import task.api.EventContextFactory;
import task.impl.log.Reporter;

/**
 * Creates event contexts for one owner and closes those still open when the
 * owner goes away ({@link #closeAll()}). A context created concurrently with
 * that call is closed by one of the two: none escapes.
 */
public class LoopFactory implements EventContextFactory {
    private final Reporter reporter;
    private final LoopDirectory directory;
    private final Set<EventLoop> open = ConcurrentHashMap.newKeySet();
    private volatile boolean released;

    /**
     * Creates a factory.
     *
     * @param reporter where the contexts report failing callbacks
     * @param directory where the runtime lists its contexts
     */
    public LoopFactory(Reporter reporter, LoopDirectory directory) {
        this.reporter = Objects.requireNonNull(reporter, "reporter");
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    @Override
    public EventContext create(String name) {
        return track(EventLoop.driven(name, reporter));
    }

    @Override
    public EventContext start(String name) {
        checkOpen();
        return track(EventLoop.started(name, reporter, true));
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

    private void checkOpen() {
        if (released) {
            throw new IllegalStateException("event context factory has been released");
        }
    }

    /**
     * Closes every context this factory created, draining each as
     * {@link EventContext#close()} does, and refuses new ones. Idempotent.
     */
    public void closeAll() {
        released = true;
        for (EventLoop loop : open) {
            open.remove(loop);
            loop.shutdown();
        }
    }
}
