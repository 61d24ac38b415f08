package task.impl.osgi;

import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import task.api.EventContext;
import task.api.EventSource;
import task.api.IoCallback;
import task.impl.log.Reporter;
import task.impl.loop.EventLoop;
import task.impl.loop.LoopBacked;
import task.impl.loop.LoopDirectory;

/**
 * The default event context, on its own thread {@code task-default-context},
 * and the root of the runtime's internals: the list of every context with its
 * stall checker, the contexts' settings (Config Admin {@value #PID}) and the
 * reporter the other components share. They reach these through this
 * component's public service, filtered by {@link #TARGET}, so that no
 * internal type is registered. A new configuration restarts this component
 * and, through their static references, the components above it.
 * <p>
 * Immediate: the default context and its stall checker run while the
 * bundle is active, not only while someone holds the service (a delayed
 * component would stop and restart them with each last user).
 * <p>
 * Clients cannot close the context; it closes, with the documented policy,
 * when this component deactivates, waiting at most the close grace for a
 * callback still running on it, after the context factories (which depend on
 * this component) closed theirs.
 */
@Component(name = DefaultContextComponent.NAME, service = EventContext.class, immediate = true,
        property = EventContext.NAME_PROPERTY + "=" + EventContext.DEFAULT_NAME,
        configurationPid = DefaultContextComponent.PID)
@Designate(ocd = DefaultContextComponent.Config.class)
public class DefaultContextComponent implements EventContext, LoopBacked {
    /** The Config Admin PID of the event contexts' settings. */
    public static final String PID = "task.contexts";
    static final String NAME = "task.impl.osgi.DefaultContextComponent";
    /** Selects this component's service among the default contexts registered. */
    static final String TARGET = "(component.name=" + NAME + ")";

    /** The event contexts' settings. */
    @ObjectClassDefinition(name = "Task event contexts",
            description = "The default event context and the contexts clients start.")
    public @interface Config {
        /** @return milliseconds a dispatch may run before it is reported; 0 turns the check off */
        @AttributeDefinition(name = "Stall threshold (ms)", min = "0",
                description = "Milliseconds one event, task completion, timer tick or I/O callback may run on a"
                        + " context before it is reported, once, with the thread's stack; 0 turns the check off.")
        int stallThresholdMillis() default 2000;

        /** @return seconds closing a context waits for a running callback */
        @AttributeDefinition(name = "Close grace (s)", min = "0",
                description = "Seconds closing a context waits for a callback still running on it, before it"
                        + " reports the callback with the thread's stack and returns.")
        int closeGraceSeconds() default 10;
    }

    private final LogReporter reporter = new LogReporter();
    private final LoopDirectory directory;
    private final Duration closeGrace;
    private final EventLoop loop;

    /**
     * Starts the default context; the stall checker starts with it.
     *
     * @param config the settings (negative values count as zero)
     */
    @Activate
    public DefaultContextComponent(Config config) {
        this.directory = new LoopDirectory(Duration.ofMillis(Math.max(0, config.stallThresholdMillis())));
        this.closeGrace = Duration.ofSeconds(Math.max(0, config.closeGraceSeconds()));
        this.loop = directory.register(EventLoop.started("task-default-context", reporter, false, closeGrace));
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindLoggerFactory(LoggerFactory factory) {
        reporter.bind(factory);
    }

    void unbindLoggerFactory(LoggerFactory factory) {
        reporter.unbind(factory);
    }

    @Deactivate
    void deactivate() {
        loop.shutdown();
        directory.close();
    }

    /** @return where the runtime's components report failures */
    Reporter reporter() {
        return reporter;
    }

    /** @return the runtime's list of event contexts */
    LoopDirectory directory() {
        return directory;
    }

    /** @return how long closing a context waits for a running callback */
    Duration closeGrace() {
        return closeGrace;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public String name() {
        return loop.name();
    }

    @Override
    public EventSource post(Runnable event) {
        return loop.post(event);
    }

    @Override
    public EventSource post(Runnable event, int priority) {
        return loop.post(event, priority);
    }

    @Override
    public EventSource schedule(Duration delay, Runnable event) {
        return loop.schedule(delay, event);
    }

    @Override
    public EventSource every(Duration period, BooleanSupplier tick) {
        return loop.every(period, tick);
    }

    @Override
    public EventSource watch(SelectableChannel channel, int ops, IoCallback callback) {
        return loop.watch(channel, ops, callback);
    }

    @Override
    public boolean inContext() {
        return loop.inContext();
    }

    @Override
    public boolean iterate(boolean mayBlock) {
        return loop.iterate(mayBlock);
    }

    @Override
    public boolean isClosed() {
        return loop.isClosed();
    }

    @Override
    public void close() {
        loop.close();
    }

    @Override
    public String toString() {
        return loop.toString();
    }
}
