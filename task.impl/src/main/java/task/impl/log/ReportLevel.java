package task.impl.log;

/**
 * The level some reports are configured to go at, such as an error no
 * callback took.
 */
public enum ReportLevel {
    /** As a warning. */
    WARNING,
    /** As information. */
    INFO,
    /** As debug output only. */
    DEBUG,
    /** Not at all. */
    OFF;

    /**
     * Reports at this level.
     *
     * @param reporter where to; not null
     * @param message what happened; not null
     * @param failure the cause, or null
     */
    public void report(Reporter reporter, String message, Throwable failure) {
        switch (this) {
            case WARNING:
                reporter.warn(message, failure);
                break;
            case INFO:
                reporter.info(message, failure);
                break;
            case DEBUG:
                reporter.debug(message, failure);
                break;
            default:
                break;
        }
    }
}
