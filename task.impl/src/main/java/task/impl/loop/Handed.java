package task.impl.loop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One runnable an {@link ExecutorContext} handed to its executor: a posted
 * event, or a timer's or watch's callback. State: {@code claimed} goes
 * false -> true once, by CAS, and the claimer releases the runnable's count
 * in the context: the executor running it (through
 * {@link ExecutorContext#dispatch}), or the hand-off whose executor refused
 * it. An executor that throws and yet runs it later then runs nothing.
 */
final class Handed implements Runnable {
    private static final VarHandle CLAIMED;

    static {
        try {
            CLAIMED = MethodHandles.lookup().findVarHandle(Handed.class, "claimed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ExecutorContext context;
    final Runnable body;
    /** For diagnostics: the posted event, or the timer or watch. */
    final Object what;
    /** When it was handed, if its lag is sampled, else {@link ContextMeter#NOT_SAMPLED}. */
    final long handedNanos;
    private volatile boolean claimed;

    Handed(ExecutorContext context, Runnable body, Object what, long handedNanos) {
        this.context = context;
        this.body = body;
        this.what = what;
        this.handedNanos = handedNanos;
    }

    /** @return true for the one caller that takes the runnable over */
    boolean claim() {
        return CLAIMED.compareAndSet(this, false, true);
    }

    @Override
    public void run() {
        if (claim()) {
            context.dispatch(this);
        }
    }
}
