package task.launcher;

import java.io.PrintStream;

import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM for the serve mode: instead of the JVM's
 * default (run the shutdown hooks, exit 130 or 143), say which signal came
 * and stop the framework, so that every bundle closes what it holds and the
 * launcher exits 0. {@code sun.misc.Signal} (module jdk.unsupported) is the
 * only way the JDK offers to handle a signal; where it is missing the
 * launcher's shutdown hook still stops the framework.
 */
final class StopSignals {
    private StopSignals() {
    }

    /**
     * Handles SIGINT and SIGTERM with {@code stop}, run on the JVM's signal
     * thread (it must not block for long).
     */
    static void install(Runnable stop, PrintStream err) {
        for (String name : new String[] { "INT", "TERM" }) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    err.println("task-shell: SIG" + signal.getName() + ": stopping");
                    stop.run();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException unavailable) {
                // the OS or the JVM (-Xrs) keeps this signal: the shutdown hook stops the framework
            }
        }
    }
}
