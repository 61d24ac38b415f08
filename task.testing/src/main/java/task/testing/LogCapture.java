package task.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures the java.util.logging records (what System.Logger uses by
 * default) of the given loggers at {@link Level#WARNING} and above, so a test
 * counts what was reported instead of printing it: the loggers' parent
 * handlers are turned off while it is open, and their level and parent
 * handlers are restored on {@link #close()}. The records are kept (see
 * {@link #records()}) or handed to a consumer, on the thread that logs.
 */
public final class LogCapture implements AutoCloseable {
    /** How many records {@link #others} describes at most. */
    public static final int DESCRIBED = 10;

    /** Strong references, so the configured loggers are the ones System.Logger finds. */
    private final List<Logger> loggers;
    private final List<Boolean> parentHandlers = new ArrayList<>();
    private final List<Level> levels = new ArrayList<>();
    private final ConcurrentLinkedQueue<LogRecord> kept = new ConcurrentLinkedQueue<>();
    private final Handler handler;

    /**
     * Captures the records of the named loggers and keeps them.
     *
     * @param loggerNames the loggers, e.g. {@code "task.runtime"}
     */
    public LogCapture(String... loggerNames) {
        this(null, loggerNames);
    }

    /**
     * Captures the records of the named loggers and hands each to
     * {@code sink} instead of keeping it.
     *
     * @param sink takes every record, on the logging thread; {@code null} to keep them
     * @param loggerNames the loggers, e.g. {@code "task.runtime"}
     */
    public LogCapture(Consumer<LogRecord> sink, String... loggerNames) {
        Consumer<LogRecord> to = sink != null ? sink : kept::add;
        loggers = Arrays.stream(loggerNames).map(Logger::getLogger).toList();
        handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                to.accept(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(Level.ALL);
        for (Logger logger : loggers) {
            parentHandlers.add(logger.getUseParentHandlers());
            levels.add(logger.getLevel());
            // WARNING and above: what is reported as a failure; debug records are not.
            logger.setLevel(Level.WARNING);
            logger.setUseParentHandlers(false);
            logger.addHandler(handler);
        }
    }

    /** Forgets the records kept so far. */
    public void clear() {
        kept.clear();
    }

    /**
     * The records kept so far (none if a sink takes them).
     *
     * @return a copy, in the order they were logged
     */
    public List<LogRecord> records() {
        return List.copyOf(kept);
    }

    /**
     * Counts the records kept that carry a given throwable.
     *
     * @param thrown the throwable's type
     * @return how many records carry an instance of it
     */
    public long count(Class<? extends Throwable> thrown) {
        return kept.stream().filter(r -> thrown.isInstance(r.getThrown())).count();
    }

    /**
     * Describes the first {@value #DESCRIBED} records kept whose throwable is
     * none of the {@code expected} types, one line each (logger, message,
     * throwable): with no types, the first records of all.
     *
     * @param expected the throwables that are no surprise
     * @return the descriptions, empty if there is nothing else
     */
    @SafeVarargs
    public final List<String> others(Class<? extends Throwable>... expected) {
        return kept.stream()
                .filter(r -> Arrays.stream(expected).noneMatch(type -> type.isInstance(r.getThrown())))
                .limit(DESCRIBED)
                .map(r -> r.getLoggerName() + ": " + r.getMessage() + " " + r.getThrown())
                .toList();
    }

    /** Detaches the capture and restores the loggers' level and parent handlers. */
    @Override
    public void close() {
        for (int i = 0; i < loggers.size(); i++) {
            Logger logger = loggers.get(i);
            logger.removeHandler(handler);
            logger.setUseParentHandlers(parentHandlers.get(i));
            logger.setLevel(levels.get(i));
        }
    }
}
