package task.impl.loop;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

import task.impl.log.Reporter;

/**
 * The thread that the adopted contexts ({@link ExecutorContext}) of one
 * runtime share for their timers and I/O watches: an {@link EventLoop} on a
 * thread of its own, {@value #THREAD_NAME}, whose timers and watches do
 * nothing but hand the adopted contexts' callbacks to their executors. It
 * is not listed among the runtime's contexts: nobody but the adopted
 * contexts posts to it.
 * <p>
 * Life (guarded by {@code this}): IDLE (no loop) -> RUNNING when an open
 * adopted context first needs a timer or watch; RUNNING -> IDLE when the
 * last open adopted context closes, which is handed the loop to stop; any
 * -> CLOSED by {@link #close()}, the runtime's end, which hands back the
 * loop to stop and starts no other. {@code open} counts the adopted contexts
 * opened and not yet closing. A context asks for the loop only while it
 * counts in {@code open} (or finds out it is refused), so a loop is never
 * stopped under an open context's timers.
 * <p>
 * Happens-before: the monitor orders every change; the loop itself is
 * published under it.
 */
final class ExecutorHops {
    static final String THREAD_NAME = "task-executor-hops";

    /** Guarded by this. */
    private int open;
    /** Guarded by this; null while IDLE or CLOSED. */
    private EventLoop loop;
    /** Guarded by this. */
    private boolean closed;

    /**
     * Counts an adopted context as open.
     *
     * @throws IllegalStateException if the runtime has closed its contexts
     */
    synchronized void opened() {
        if (closed) {
            throw new IllegalStateException("event context factory has been released");
        }
        open++;
    }

    /**
     * The running loop, started if IDLE. Any thread.
     *
     * @param reporter where the loop reports its own failures
     * @param closeGrace how long stopping the loop waits for it
     * @return the loop
     * @throws RejectedExecutionException if CLOSED, or no adopted context is open
     */
    synchronized EventLoop loop(Reporter reporter, Duration closeGrace) {
        if (loop == null) {
            if (closed || open == 0) {
                throw new RejectedExecutionException("the adopted contexts' timer and I/O thread has stopped");
            }
            loop = EventLoop.started(THREAD_NAME, reporter, true, closeGrace);
        }
        return loop;
    }

    /**
     * An adopted context is closing.
     *
     * @return the loop to stop if that was the last open one, else null
     */
    synchronized EventLoop closing() {
        if (--open > 0) {
            return null;
        }
        EventLoop idle = loop;
        loop = null;
        return idle;
    }

    /**
     * The runtime's end: starts no loop any more. Idempotent.
     *
     * @return the loop to stop, or null
     */
    synchronized EventLoop close() {
        closed = true;
        EventLoop running = loop;
        loop = null;
        return running;
    }
}
