package task.impl.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A context's event or callback that has run past the stall threshold: what the stall checker reports. */
@Name("task.ContextStall")
@Label("Task Context Stall")
@Category("Task Runtime")
@Description("An event or callback that blocks an event context past its stall threshold")
@Enabled(false)
@StackTrace(false)
final class ContextStallEvent extends Event {
    @Label("Context")
    String context;
    @Label("Running")
    @Description("The task or event that blocks it")
    String running;
    @Label("Thread")
    String thread;
    @Label("Stalled For")
    @Timespan(Timespan.NANOSECONDS)
    long stalledFor;
}
