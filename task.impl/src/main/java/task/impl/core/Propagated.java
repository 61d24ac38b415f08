package task.impl.core;

import java.util.ArrayList;
import java.util.List;

import task.api.spi.ContextPropagator;
import task.api.spi.ContextPropagator.Captured;
import task.api.spi.ContextPropagator.Scope;
import task.impl.log.Reporter;

/**
 * The contexts the {@link ContextPropagator}s captured when a task was
 * created, entered around its worker and around its callback. Immutable
 * once captured; each {@link #around} runs on one thread, so its scopes are
 * closed where they were entered. A propagator that throws is reported and
 * left out: it never fails the task nor ends the thread.
 */
final class Propagated {
    /** A body to run inside the captured contexts: a worker or a callback. */
    interface Body {
        void run() throws Exception;
    }

    private final Captured[] captured;
    private final Reporter reporter;

    private Propagated(Captured[] captured, Reporter reporter) {
        this.captured = captured;
        this.reporter = reporter;
    }

    /**
     * On the creating thread: captures every propagator's context.
     *
     * @return the captured contexts, or null when no propagator had any (the usual case costs a list read)
     */
    static Propagated capture(List<ContextPropagator> propagators, Reporter reporter) {
        if (propagators.isEmpty()) {
            return null;
        }
        List<Captured> captured = new ArrayList<>(propagators.size());
        for (ContextPropagator propagator : propagators) {
            try {
                Captured c = propagator.capture();
                if (c != null) {
                    captured.add(c);
                }
            } catch (Throwable t) {
                reporter.warn("context propagator " + propagator + ": capture() threw; its context is not carried", t);
            }
        }
        return captured.isEmpty() ? null : new Propagated(captured.toArray(new Captured[0]), reporter);
    }

    /** Runs {@code body} with every captured context entered, then closes their scopes, last entered first. */
    void around(Body body) throws Exception {
        Scope[] scopes = new Scope[captured.length];
        for (int i = 0; i < captured.length; i++) {
            try {
                scopes[i] = captured[i].enter();
            } catch (Throwable t) {
                reporter.warn("context propagator: enter() threw; the task runs without that context", t);
            }
        }
        try {
            body.run();
        } finally {
            for (int i = scopes.length - 1; i >= 0; i--) {
                if (scopes[i] != null) {
                    try {
                        scopes[i].close();
                    } catch (Throwable t) {
                        reporter.warn("context propagator: a scope's close() threw", t);
                    }
                }
            }
        }
    }
}
