package task.impl.osgi;

import java.time.Duration;
import java.util.List;

import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import task.api.EventContext;
import task.api.TaskInspector;
import task.api.TaskService;
import task.api.ThreadRunner;
import task.api.spi.ContextPropagator;
import task.impl.core.TaskFactory;
import task.impl.core.TaskTable;
import task.impl.log.ReportLevel;

/**
 * The task service, one instance per client bundle, owned by that bundle:
 * when the bundle stops or releases the service, DS deactivates the
 * instance and every task it still has in flight is disposed (no callback
 * runs into the stopped bundle; every cleanup runs; sources are released),
 * and deactivation waits (up to a grace period) until those tasks finished.
 * Configured through Config Admin under {@value #PID}; a new configuration
 * restarts every instance.
 */
@Component(service = TaskService.class, scope = ServiceScope.BUNDLE, configurationPid = TaskServiceComponent.PID)
@Designate(ocd = TaskServiceComponent.Config.class)
public class TaskServiceComponent extends TaskFactory {
    /** The Config Admin PID of the task services' settings. */
    public static final String PID = "task.service";
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /** The task services' settings. */
    @ObjectClassDefinition(name = "Task service", description = "Creates the tasks of each client bundle.")
    public @interface Config {
        /** @return the level an error no callback took is reported at */
        @AttributeDefinition(name = "Untaken errors",
                description = "How an error that no callback took with propagateError() is reported when its task"
                        + " finishes: WARNING, INFO, DEBUG or OFF. A cancelled or disposed task's error goes at"
                        + " DEBUG (unless OFF): a cancellation is no failure nobody noticed.")
        ReportLevel untakenErrorLevel() default ReportLevel.WARNING;

        /** @return whether each task records where it was created */
        @AttributeDefinition(name = "Record creation sites",
                description = "Whether each task records the stack that created it (one stack trace per task),"
                        + " shown when a task is dropped without ever finishing.")
        boolean recordCreationSites() default false;
    }

    /**
     * Creates the task service of the bundle that gets it.
     *
     * @param context the component context, naming the using bundle
     * @param config the settings
     * @param runner runs the workers
     * @param defaultContext the default context, also the runtime's reporter
     * @param inspector the runtime's table of tasks in flight
     */
    @Activate
    public TaskServiceComponent(ComponentContext context, Config config, @Reference ThreadRunner runner,
            @Reference(target = DefaultContextComponent.TARGET) EventContext defaultContext,
            @Reference(target = InspectorComponent.TARGET) TaskInspector inspector) {
        super(context.getUsingBundle().getSymbolicName(), runner, defaultContext, (TaskTable) inspector,
                ((DefaultContextComponent) defaultContext).reporter(), config.untakenErrorLevel());
        recordCreationSites(config.recordCreationSites());
    }

    /** Every context propagator registered (whiteboard), as an immutable snapshot SCR replaces. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<ContextPropagator> propagators = List.of();

    @Override
    protected List<ContextPropagator> propagators() {
        return propagators;
    }

    @Deactivate
    void deactivate() {
        // Waits for the disposed tasks, so that none of the client's code (a
        // worker's tail, a running callback, a cleanup) runs after its stop.
        disposeAllAndAwait(STOP_GRACE);
    }
}
