package task.impl.osgi;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;

import task.api.EventContextFactory;
import task.impl.log.Reporter;
import task.impl.loop.LoopFactory;

/**
 * The context factory, one instance per client bundle: the contexts a
 * bundle created are closed when it releases the service (or stops).
 */
@Component(service = EventContextFactory.class, scope = ServiceScope.BUNDLE)
public class ContextFactoryComponent extends LoopFactory {

    /**
     * Creates the factory of one client bundle.
     *
     * @param reporter where the contexts report failing callbacks
     * @param directory where the runtime lists its contexts
     */
    @Activate
    public ContextFactoryComponent(@Reference Reporter reporter, @Reference DirectoryComponent directory) {
        super(reporter, directory.directory, directory.closeGrace);
    }

    @Deactivate
    void deactivate() {
        closeAll();
    }
}
