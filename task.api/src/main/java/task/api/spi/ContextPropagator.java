package task.api.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Carries a thread's context (a logging MDC, OpenTelemetry's
 * {@code Context}, a security identity) from the thread that creates a task
 * to the threads that run its worker and its callback. Registered as an OSGi
 * service (whiteboard: every task service sees every propagator registered
 * while it creates a task), found by {@link java.util.ServiceLoader} in plain
 * Java ({@code META-INF/services/task.api.spi.ContextPropagator}), or given
 * to {@code TaskRuntime.Builder.contextPropagator}.
 *
 * <p>
 * {@link #capture()} runs on the thread that creates the task, once per
 * propagator and task; {@link Captured#enter()} on the worker's thread before
 * the worker runs and on the callback's thread before the callback runs;
 * the {@link Scope} it returns is closed right after, on the same thread,
 * in the reverse order of entering. Whatever a propagator throws is reported
 * to the log and skipped: it never fails the task nor ends a thread.
 * Happens-before: {@code capture} happens-before {@code enter}, which
 * happens-before the worker or callback it surrounds.
 */
@ConsumerType
@FunctionalInterface
public interface ContextPropagator {

    /**
     * Captures the current thread's context.
     *
     * @return what to install around the task's worker and callback, or null when there is nothing to carry
     */
    Captured capture();

    /** A captured context, installed on a thread for the length of a worker or callback. */
    @ConsumerType
    @FunctionalInterface
    interface Captured {

        /**
         * Installs the captured context on the current thread.
         *
         * @return what puts the thread's previous context back; not null
         */
        Scope enter();
    }

    /** Puts a thread's previous context back; closed once, on the thread that entered. */
    @ConsumerType
    @FunctionalInterface
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
