package task.impl.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A task's completion: its callback on its context (the duration), or its disposal (no callback). */
@Name("task.Completion")
@Label("Task Completion")
@Category("Task Runtime")
@Description("A task's callback on its context, with the outcome it delivered, or a disposal without callback")
@Enabled(false)
@StackTrace(false)
final class TaskCompletionEvent extends Event {
    @Label("Task Id")
    long taskId;
    @Label("Task Name")
    String taskName;
    @Label("Owner")
    String owner;
    @Label("Operation")
    String operation;
    @Label("Outcome")
    @Description("succeeded, failed, cancelled or disposed")
    String outcome;
}
