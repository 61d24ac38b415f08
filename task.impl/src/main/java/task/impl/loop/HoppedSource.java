package task.impl.loop;

import task.api.EventSource;

/**
 * A timer or I/O watch of an {@link ExecutorContext}: waited for on the
 * shared thread of {@link ExecutorHops} by a registration there (its
 * "arming"), and run on the executor. Each arming is one-shot: the shared
 * thread hands the callback to the executor, and the callback, once it
 * returned true, arms the next; so one callback at most is in flight.
 * <p>
 * State: {@code active} (of {@link LoopSource}) goes true -> false once, by
 * CAS: cancelled, closed with the context, ended by its callback, or refused
 * by the executor. {@code armed} holds the latest registration on the
 * shared thread.
 * <p>
 * Happens-before: an armer writes {@code armed} and then reads
 * {@code active}; a canceller CASes {@code active} and then reads
 * {@code armed}; both volatile, so either the armer sees the source ended
 * and cancels its registration, or the canceller sees the registration and
 * cancels it: no registration outlives the source for long (a cancelled
 * registration leaves the shared thread when it next looks).
 */
abstract class HoppedSource extends LoopSource {
    final ExecutorContext context;
    private volatile EventSource armed;

    HoppedSource(ExecutorContext context) {
        this.context = context;
    }

    /** Keeps {@code registration} as the armed one, or cancels it if this source ended meanwhile. */
    final void armed(EventSource registration) {
        armed = registration;
        if (!isActive()) {
            registration.cancel();
        }
    }

    @Override
    final void cancelled() {
        EventSource registration = armed;
        if (registration != null) {
            registration.cancel();
        }
        context.forget(this);
    }

    /** For diagnostics: what the user registered, never running user code. */
    abstract String describe();
}
