package task.impl.loop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import task.api.EventSource;

/**
 * The common life of everything registered with an {@link EventLoop}.
 * <p>
 * State: {@code active} goes from true to false exactly once, by CAS, and
 * whoever makes that transition decides what happens: the loop taking a
 * one-shot source to run it, {@link #cancel()} removing it, a poster taking
 * back an event the closed loop will never run, or the closing loop itself.
 * The CAS is the happens-before edge between that party and everyone who
 * reads {@link #isActive()}.
 */
abstract class LoopSource implements EventSource {
    private static final VarHandle ACTIVE;

    static {
        try {
            ACTIVE = MethodHandles.lookup().findVarHandle(LoopSource.class, "active", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile boolean active = true;

    /**
     * Ends the source's life: the one true-to-false transition.
     *
     * @return true if this call ended it
     */
    final boolean deactivate() {
        return ACTIVE.compareAndSet(this, true, false);
    }

    @Override
    public boolean cancel() {
        if (!deactivate()) {
            return false;
        }
        cancelled();
        return true;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    /** Called once, in the cancelling thread, after {@link #cancel()} won. */
    void cancelled() {
    }
}
