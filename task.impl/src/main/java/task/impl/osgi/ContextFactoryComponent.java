package task.impl.osgi;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;

import task.api.EventContext;
import task.api.EventContextFactory;
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
     * @param root the default context, holding the reporter, the list of
     *        contexts and their close grace
     */
    @Activate
    public ContextFactoryComponent(@Reference(target = DefaultContextComponent.TARGET) EventContext root) {
        this(((DefaultContextComponent) root));
    }

    private ContextFactoryComponent(DefaultContextComponent root) {
        super(root.reporter(), root.directory(), root.closeGrace());
    }

    @Deactivate
    void deactivate() {
        closeAll();
    }
}
