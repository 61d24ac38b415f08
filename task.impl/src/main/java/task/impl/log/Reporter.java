package task.impl.log;

/**
 * Where the runtime reports failures it cannot hand to anyone: a callback
 * that threw on an event context, a cleanup that threw on a worker thread,
 * a completion that could not be delivered. Inside OSGi this is the Log
 * Service; outside, {@link System.Logger}.
 * <p>
 * Implementations should not throw, but may: the runtime calls every
 * reporter through {@link #guarded(Reporter)}, so that a failing reporter
 * (a log record that cannot be formatted when no file descriptor is left, an
 * {@code OutOfMemoryError}) never ends a thread of the runtime. Threading:
 * any thread, concurrently.
 */
public interface Reporter {

    /**
     * Reports a failure.
     *
     * @param message what happened, naming the task or context; not null
     * @param failure the cause, or null
     */
    void warn(String message, Throwable failure);

    /**
     * Reports something worth seeing in a running system that is not a
     * failure of the runtime, such as an error no callback took when
     * configured at {@link ReportLevel#INFO}. A reporter without such a level
     * reports it as a warning, so it is never quieter than asked for.
     *
     * @param message what happened; not null
     * @param failure the cause, or null
     */
    default void info(String message, Throwable failure) {
        warn(message, failure);
    }

    /**
     * Reports something only worth seeing when debugging, such as an error
     * arriving after its task ended.
     *
     * @param message what happened; not null
     * @param failure the cause, or null
     */
    void debug(String message, Throwable failure);

    /**
     * A reporter writing to {@link System.Logger}, for use outside OSGi. It
     * may throw what the logger throws; wrap it in {@link #guarded(Reporter)}.
     *
     * @param loggerName the logger's name
     * @return the reporter
     */
    static Reporter systemLogger(String loggerName) {
        System.Logger logger = System.getLogger(loggerName);
        return new Reporter() {
            @Override
            public void warn(String message, Throwable failure) {
                logger.log(System.Logger.Level.WARNING, message, failure);
            }

            @Override
            public void info(String message, Throwable failure) {
                logger.log(System.Logger.Level.INFO, message, failure);
            }

            @Override
            public void debug(String message, Throwable failure) {
                logger.log(System.Logger.Level.DEBUG, message, failure);
            }
        };
    }

    /**
     * The reporter every part of the runtime reports through: it calls
     * {@code reporter} and never throws. If {@code reporter} throws anything
     * (an {@code Error} included), a warning or info report is written to
     * {@link System#err} as one preformatted line plus the failure's stack
     * trace, without timestamps or time zones (what a logger may be unable
     * to read when it fails); if that throws too, or for a debug report, the
     * report is dropped and counted ({@link #droppedReports()}).
     *
     * @param reporter the reporter to guard; not null
     * @return a guarding reporter; {@code reporter} itself if it already is one
     * @throws NullPointerException if {@code reporter} is null
     */
    static Reporter guarded(Reporter reporter) {
        return reporter instanceof GuardedReporter ? reporter : new GuardedReporter(reporter);
    }

    /**
     * Counts the reports that {@linkplain #guarded(Reporter) guarded}
     * reporters had to drop because the reporter and {@link System#err} both
     * failed, since the class was loaded. Any thread.
     *
     * @return how many reports were lost
     */
    static long droppedReports() {
        return GuardedReporter.dropped();
    }
}
