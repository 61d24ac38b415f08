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
 * and to {@link System.Logger} while there is none.
 */
@Component(service = Reporter.class)
public class LogReporter implements Reporter {
    private static final String LOGGER_NAME = "task.runtime";
    private final Reporter fallback = Reporter.systemLogger(LOGGER_NAME);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile LoggerFactory loggerFactory;

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
    public void debug(String message, Throwable failure) {
        Logger logger = logger();
        if (logger == null) {
            fallback.debug(message, failure);
        } else {
            logger.debug("{}", message, failure);
        }
    }

    private Logger logger() {
        LoggerFactory factory = loggerFactory;
        return factory == null ? null : factory.getLogger(LOGGER_NAME);
    }
}
