package task.impl.osgi;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

import task.impl.log.Reporter;

/**
 * Reports the runtime's failures to the OSGi Log Service when there is one,
 * and to {@link System.Logger} while there is none. Every component gets
 * this one service, and it never throws: whatever the log throws is handled
 * as {@link Reporter#guarded(Reporter)} says.
 */
@Component(service = Reporter.class)
public class LogReporter implements Reporter {
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

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile LoggerFactory loggerFactory;

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
        LoggerFactory factory = loggerFactory;
        return factory == null ? null : factory.getLogger(LOGGER_NAME);
    }
}
