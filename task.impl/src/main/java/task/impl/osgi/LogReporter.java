package task.impl.osgi;

import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

import task.impl.log.Reporter;

/**
 * Reports the runtime's failures to the OSGi Log Service while its component
 * has one bound, and to {@link System.Logger} while none is. It never
 * throws: whatever the log throws is handled as
 * {@link Reporter#guarded(Reporter)} says. Not a service: each component
 * that reports has one and binds the Log Service to it (see
 * {@link #bind(LoggerFactory)}).
 * <p>
 * Threading: any thread. Binding and unbinding hold the lock (an unbind
 * must not clear a factory bound since, as DS binds a greedy reference's
 * replacement before it unbinds the old one); reports read the volatile
 * {@code factory} without it.
 */
final class LogReporter implements Reporter {
    private static final String LOGGER_NAME = "task.runtime";
    private final Reporter fallback = Reporter.systemLogger(LOGGER_NAME);
    private final Reporter guarded = Reporter.guarded(new Reporter() {
        @Override
        public void warn(String message, Throwable failure) {
            Logger logger = logger();
            if (logger == null) {
                fallback.warn(message, failure);
            } else {
                // The message goes in as an argument so braces in it are not read as a format.
                logger.warn("{}", message, failure);
            }
        }

        @Override
        public void info(String message, Throwable failure) {
            Logger logger = logger();
            if (logger == null) {
                fallback.info(message, failure);
            } else {
                logger.info("{}", message, failure);
            }
        }

        @Override
        public void debug(String message, Throwable failure) {
            Logger logger = logger();
            if (logger == null) {
                fallback.debug(message, failure);
            } else {
                logger.debug("{}", message, failure);
            }
        }
    });

    private volatile LoggerFactory factory;

    /** Reports to this Log Service from now on (a component's dynamic reference bound it). */
    synchronized void bind(LoggerFactory loggerFactory) {
        factory = loggerFactory;
    }

    /** Stops reporting to this Log Service, unless another was bound since. */
    synchronized void unbind(LoggerFactory loggerFactory) {
        if (factory == loggerFactory) {
            factory = null;
        }
    }

    @Override
    public void warn(String message, Throwable failure) {
        guarded.warn(message, failure);
    }

    @Override
    public void info(String message, Throwable failure) {
        guarded.info(message, failure);
    }

    @Override
    public void debug(String message, Throwable failure) {
        guarded.debug(message, failure);
    }

    private Logger logger() {
        LoggerFactory current = factory;
        return current == null ? null : current.getLogger(LOGGER_NAME);
    }
}
