package task.impl.stress;

import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Silences the runtime's logger ({@code task.runtime}, reached through
 * System.Logger, i.e. java.util.logging by default) and hands every record
 * to a consumer, so a test can count what was reported. Restores the
 * logger on close.
 */
final class LogCapture implements AutoCloseable {
    static final String LOGGER = "task.runtime";

    /** A strong reference, so the configured logger is the one System.Logger finds. */
    private final Logger logger = Logger.getLogger(LOGGER);
    private final boolean parentHandlers;
    private final Level level;
    private final Handler handler;

    LogCapture(Consumer<LogRecord> sink) {
        parentHandlers = logger.getUseParentHandlers();
        level = logger.getLevel();
        handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                sink.accept(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(Level.ALL);
        // WARNING and above: what the runtime reports as failures. Debug
        // records (an error no callback took) are not failures.
        logger.setLevel(Level.WARNING);
        logger.setUseParentHandlers(false);
        logger.addHandler(handler);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(parentHandlers);
        logger.setLevel(level);
    }
}
