package task.impl.log;

/**
 * Where the runtime reports failures it cannot hand to anyone: a callback
 * that threw on an event context, a cleanup that threw on a worker thread,
 * a completion that could not be delivered. Inside OSGi this is the Log
 * Service; outside, {@link System.Logger}. Implementations must not throw.
 */
public interface Reporter {

    /**
     * Reports a failure.
     *
     * @param message what happened, naming the task or context
     * @param failure the cause, or null
     */
    void warn(String message, Throwable failure);

    /**
     * Reports something only worth seeing when debugging, such as an error
     * no callback took.
     *
     * @param message what happened
     * @param failure the cause, or null
     */
    void debug(String message, Throwable failure);

    /**
     * A reporter writing to {@link System.Logger}, for use outside OSGi.
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
            public void debug(String message, Throwable failure) {
                logger.log(System.Logger.Level.DEBUG, message, failure);
            }
        };
    }
}
