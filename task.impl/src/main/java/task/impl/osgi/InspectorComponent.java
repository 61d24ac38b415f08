package task.impl.osgi;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import task.api.EventContext;
import task.api.TaskInspector;
import task.impl.core.TaskTable;

/**
 * The runtime's table of tasks in flight, registered as the inspector
 * service; the task services reach the table through this service, filtered
 * by {@link #TARGET}. It lists the contexts of the runtime's directory.
 */
@Component(name = InspectorComponent.NAME, service = TaskInspector.class)
public class InspectorComponent extends TaskTable {
    static final String NAME = "task.impl.osgi.InspectorComponent";
    /** Selects this component's service among the inspectors registered. */
    static final String TARGET = "(component.name=" + NAME + ")";

    /**
     * Creates the table.
     *
     * @param root the default context, holding the runtime's list of contexts
     */
    @Activate
    public InspectorComponent(@Reference(target = DefaultContextComponent.TARGET) EventContext root) {
        super(((DefaultContextComponent) root).directory()::describeOpen);
    }
}
