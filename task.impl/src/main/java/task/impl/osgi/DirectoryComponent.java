package task.impl.osgi;

import java.time.Duration;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import task.impl.loop.LoopDirectory;

/**
 * Holds the runtime's list of event contexts and their stall checker, shared
 * by the components that create contexts, and the settings of every context,
 * configured through Config Admin under {@value #PID}. A new configuration
 * restarts this component and, through their static references, the
 * contexts (the default one included) and the task services.
 */
@Component(service = DirectoryComponent.class, configurationPid = DirectoryComponent.PID)
@Designate(ocd = DirectoryComponent.Config.class)
public class DirectoryComponent {
    /** The Config Admin PID of the event contexts' settings. */
    public static final String PID = "task.contexts";

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

    final LoopDirectory directory;
    final Duration closeGrace;

    /**
     * Creates the directory; its stall checker starts with the first context.
     *
     * @param config the settings (negative values count as zero)
     */
    @Activate
    public DirectoryComponent(Config config) {
        this.directory = new LoopDirectory(Duration.ofMillis(Math.max(0, config.stallThresholdMillis())));
        this.closeGrace = Duration.ofSeconds(Math.max(0, config.closeGraceSeconds()));
    }

    @Deactivate
    void deactivate() {
        // After the components holding contexts have closed them (they depend on this one).
        directory.close();
    }

    /** @return the runtime's list of event contexts */
    public LoopDirectory directory() {
        return directory;
    }
}
