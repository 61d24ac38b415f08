package task.impl.osgi;

import org.osgi.service.component.annotations.Component;

import task.api.TaskInspector;
import task.impl.core.TaskTable;

/**
 * The runtime's table of tasks in flight: the inspector service for
 * everyone, and (under its implementation type, visible only inside this
 * bundle) the table the task services share.
 */
@Component(service = { TaskInspector.class, TaskTable.class })
public class InspectorComponent extends TaskTable {
}
