package task.itest.example;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import task.api.spi.Operation;

/** Registers the example operations, as a third-party plugin bundle would (without DS). */
public final class ExampleActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        context.registerService(Operation.class, new ReverseOperation(), null);
        context.registerService(Operation.class, new BlockOperation(), null);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the services
    }
}
