package task.impl.loop;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event contexts of one runtime, for diagnostics (the shell's context
 * list). Closed contexts leave it when they are next listed.
 * Threading: any thread.
 */
public final class LoopDirectory {
    private final Set<EventLoop> loops = ConcurrentHashMap.newKeySet();

    /**
     * Lists the open contexts.
     *
     * @return a snapshot, sorted by name
     */
    public List<EventLoop> open() {
        loops.removeIf(EventLoop::isClosed);
        List<EventLoop> snapshot = new ArrayList<>(loops);
        snapshot.sort(Comparator.comparing(EventLoop::name));
        return snapshot;
    }

    /**
     * Lists a context until it is closed.
     *
     * @param loop the context
     * @return the context
     */
    public EventLoop register(EventLoop loop) {
        loops.add(loop);
        return loop;
    }
}
