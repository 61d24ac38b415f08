package task.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A handle on something registered with an {@link EventContext}: a posted
 * event, a timer or an I/O watch (GLib's {@code GSource}).
 * Threading: any thread.
 */
@ProviderType
public interface EventSource {

    /**
     * Removes the source from its context ({@code g_source_destroy}): its
     * callback will not start again after this returns. A callback already
     * running on the context's thread is not stopped. Idempotent.
     *
     * @return true if this call removed an active source; false if it had
     *         already fired (one-shot), been removed, or its context closed
     */
    boolean cancel();

    /**
     * Whether the source may still fire.
     *
     * @return false once cancelled, fired for the last time, or closed with
     *         its context
     */
    boolean isActive();
}
