package task.impl.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A task's worker, from the moment a runner thread starts it to its return; its duration is the run time. */
@Name("task.WorkerRun")
@Label("Task Worker Run")
@Category("Task Runtime")
@Description("A task's worker on a runner thread: how long it waited in the queue and how long it ran")
@Enabled(false)
@StackTrace(false)
final class WorkerRunEvent extends Event {
    @Label("Task Id")
    long taskId;
    @Label("Task Name")
    String taskName;
    @Label("Owner")
    @Description("The bundle (or plain-Java runtime) whose task service made the task")
    String owner;
    @Label("Operation")
    @Description("The task's source tag: the operation's name for an operation's task")
    String operation;
    @Label("Queue Time")
    @Description("From runInThread to the worker's start; unknown if the recording began in between")
    @Timespan(Timespan.NANOSECONDS)
    long queueTime;
    @Label("Outcome")
    @Description("returned, failed (it threw), or cancelled (it returned after a cancel)")
    String outcome;
}
