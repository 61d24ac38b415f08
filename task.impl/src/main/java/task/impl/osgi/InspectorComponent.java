package task.impl.osgi;

import java.util.function.Supplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import task.api.EventContext;
import task.api.TaskInspector;
import task.api.ThreadRunner;
import task.api.metrics.RunnerStats;
import task.impl.core.TaskTable;
import task.impl.log.Reporter;
import task.impl.metrics.MetricsBeans;
import task.impl.metrics.TaskMetrics;

/**
 * The runtime's table of tasks in flight, registered as the inspector
 * service; the task services reach the table through this service, filtered
 * by {@link #TARGET}. It lists the contexts of the runtime's directory.
 * Immediate: it holds the runtime's counters and MBeans, which must live as
 * long as task.impl is active, not only while some client holds the
 * service (SCR would deactivate a delayed one when the last user let go,
 * and the counts would start again from zero).
 */
@Component(name = InspectorComponent.NAME, service = TaskInspector.class, immediate = true)
@Designate(ocd = InspectorComponent.Config.class)
public class InspectorComponent extends TaskTable {
    static final String NAME = "task.impl.osgi.InspectorComponent";
    /** Selects this component's service among the inspectors registered. */
    static final String TARGET = "(component.name=" + NAME + ")";
    /** The MBeans of this activation, or null with metrics off. */
    private final MetricsBeans beans;

    /**
     * Creates the table.
     *
     * @param root the default context, holding the runtime's list of contexts
     * @param runner the runtime's runner, for its statistics
     * @param config the settings
     */
    @Activate
    public InspectorComponent(@Reference(target = DefaultContextComponent.TARGET) EventContext root,
            @Reference ThreadRunner runner, Config config) {
        this((DefaultContextComponent) root, new TaskMetrics(config.metrics()), runnerStats(runner));
    }

    private InspectorComponent(DefaultContextComponent root, TaskMetrics metrics, Supplier<RunnerStats> runner) {
        super(root.directory()::describeOpen, metrics, root.directory()::stats, runner);
        this.beans = metrics.enabled()
                ? new MetricsBeans(metrics, runner, root.directory()::stats,
                        Reporter.guarded(Reporter.systemLogger("task.runtime")))
                : null;
    }

    private static Supplier<RunnerStats> runnerStats(ThreadRunner runner) {
        return runner instanceof RunnerComponent ? ((RunnerComponent) runner)::stats
                : () -> new RunnerStats(runner.usesVirtualThreads(), 0, runner.activeCount(), 0);
    }

    /** Unregisters the MBeans, once per activation. */
    @Deactivate
    void deactivate() {
        if (beans != null) {
            beans.close();
        }
    }

    /** The inspector's settings (PID {@value #NAME}). */
    @ObjectClassDefinition(name = "Task runtime metrics",
            description = "Whether the tasks count their outcomes and time their worker runs.")
    public @interface Config {
        /** @return whether the tasks record metrics */
        @AttributeDefinition(name = "Metrics", description = "Count tasks per owner and per operation and record"
                + " their queue and run times (task:stats, the task.runtime MBeans). Read when the inspector"
                + " starts: a change restarts the runtime's task services.")
        boolean metrics() default true;
    }
}
