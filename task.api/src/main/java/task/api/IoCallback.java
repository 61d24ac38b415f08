package task.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Called when a watched channel is ready (GLib's {@code GIOFunc}).
 */
@ConsumerType
@FunctionalInterface
public interface IoCallback {

    /**
     * Handles readiness, on the thread driving the watch's context.
     * An exception thrown here is reported to the log and keeps the watch.
     *
     * @param readyOps the ready operations, a subset of the watched ones
     *        ({@link java.nio.channels.SelectionKey#OP_READ} and so on)
     * @return true to keep watching, false to remove the watch
     */
    boolean onReady(int readyOps);
}
