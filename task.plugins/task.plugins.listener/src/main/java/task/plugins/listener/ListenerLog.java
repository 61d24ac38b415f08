package task.plugins.listener;

import java.lang.System.Logger.Level;
import java.util.function.Supplier;

/**
 * The package's logger ({@code task.plugins.listener}), whose calls never
 * throw. Most of its calls run on an event context's thread, inside a watch
 * callback; a logging back end that throws (one that cannot open a file,
 * the time-zone data, when the process is out of descriptors) must not
 * abort what the callback was doing, such as suspending the accept watches.
 * Stateless; any thread.
 */
final class ListenerLog {
    private static final System.Logger LOGGER = System.getLogger("task.plugins.listener");

    private ListenerLog() {
    }

    /**
     * Logs, and swallows whatever the logging throws: there is nowhere left
     * to report it. The message is built inside, so that a failure to build
     * it (a class that cannot be loaded any more) is swallowed too; and only
     * if the level is logged.
     *
     * @param thrown the failure to attach, or null
     */
    static void log(Level level, Supplier<String> message, Throwable thrown) {
        try {
            LOGGER.log(level, message, thrown);
        } catch (Throwable failedToLog) {
            // nothing to do: reporting that logging failed would need logging
        }
    }
}
