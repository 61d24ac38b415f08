package task.impl.osgi;

import java.time.Duration;

import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;

import task.api.EventContext;
import task.api.TaskService;
import task.api.ThreadRunner;
import task.impl.core.TaskFactory;
import task.impl.core.TaskTable;
import task.impl.log.Reporter;

/**
 * The task service, one instance per client bundle, owned by that bundle:
 * when the bundle stops or releases the service, DS deactivates the
 * instance and every task it still has in flight is disposed (no callback
 * runs into the stopped bundle; every cleanup runs; sources are released),
 * and deactivation waits (up to a grace period) until those tasks finished.
 */
@Component(service = TaskService.class, scope = ServiceScope.BUNDLE)
public class TaskServiceComponent extends TaskFactory {
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /**
     * Creates the task service of the bundle that gets it.
     *
     * @param context the component context, naming the using bundle
     * @param runner runs the workers
     * @param defaultContext the default context
     * @param table the runtime's tasks in flight
     * @param reporter where failures go
     */
    @Activate
    public TaskServiceComponent(ComponentContext context, @Reference ThreadRunner runner,
            @Reference(target = "(" + EventContext.NAME_PROPERTY + "=" + EventContext.DEFAULT_NAME + ")")
            EventContext defaultContext,
            @Reference TaskTable table, @Reference Reporter reporter) {
        super(context.getUsingBundle().getSymbolicName(), runner, defaultContext, table, reporter);
    }

    @Deactivate
    void deactivate() {
        // Waits for the disposed tasks, so that none of the client's code (a
        // worker's tail, a running callback, a cleanup) runs after its stop.
        disposeAllAndAwait(STOP_GRACE);
    }
}
