package task.webconsole;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import task.api.ContextInfo;
import task.api.TaskInfo;
import task.api.TaskInspector;
import task.api.metrics.ContextStats;
import task.api.metrics.Durations;
import task.api.metrics.RunnerStats;
import task.api.metrics.TaskCounts;
import task.api.metrics.TaskStats;
import task.api.spi.OperationInfo;

/**
 * The HTML of the Tasks page: four sections (tasks in flight, contexts,
 * operations, metrics), each a table with an {@code id} the tests and a
 * reader can find. Every value from the runtime is escaped ({@link #escape}):
 * task names, groups and sources are user text. Pure functions of their
 * arguments; safe on any thread.
 */
final class TasksPage {

    private TasksPage() {
    }

    /**
     * @param inspector the runtime, or empty when none is running
     * @param operations the registered operations, never null
     * @param cancelled the id of the last cancel request (the redirect's parameter), or null
     * @param missing true when that id was no longer in flight
     * @param nowMillis the current time, for the tasks' ages
     */
    static String render(Optional<TaskInspector> inspector, List<OperationInfo> operations, String cancelled,
            boolean missing, long nowMillis) {
        StringBuilder html = new StringBuilder(4096);
        if (cancelled != null) {
            html.append("<p class='statline' id='cancel-result'>")
                    .append(missing ? "Task #" + escape(cancelled) + " was not in flight"
                            : "Cancelled task #" + escape(cancelled))
                    .append("</p>\n");
        }
        if (inspector.isEmpty()) {
            html.append("<p class='statline'>No task runtime (task.api.TaskInspector) is running.</p>\n");
            operations(html, operations);
            return html.toString();
        }
        TaskInspector tasks = inspector.get();
        inFlight(html, tasks.inFlight(), nowMillis);
        contexts(html, tasks.contexts(), tasks.stats());
        operations(html, operations);
        metrics(html, tasks.stats(), tasks.lostReports());
        return html.toString();
    }

    private static void inFlight(StringBuilder html, List<TaskInfo> tasks, long nowMillis) {
        section(html, "Tasks in flight (" + tasks.size() + ")");
        table(html, "tasks", "Id", "Name", "Owner", "Source", "State", "Age", "Thread", "Group", "");
        for (TaskInfo t : tasks) {
            html.append("<tr data-task-id='").append(t.id()).append("'>");
            cells(html, "#" + t.id(), t.name(), t.owner(), t.source(), String.valueOf(t.state()),
                    age(t.created(), nowMillis), t.thread(), t.group());
            html.append("<td><form method='post' action='").append(TasksPlugin.LABEL).append("'>")
                    .append("<input type='hidden' name='action' value='cancel'>")
                    .append("<input type='hidden' name='id' value='").append(t.id()).append("'>")
                    .append("<button type='submit' class='ui-state-default ui-corner-all' id='cancel-")
                    .append(t.id()).append("'>Cancel</button></form></td></tr>\n");
        }
        end(html);
    }

    private static void contexts(StringBuilder html, List<ContextInfo> contexts, TaskStats stats) {
        section(html, "Contexts (" + contexts.size() + ")");
        table(html, "contexts", "Name", "Status", "Pending", "Lag median", "Lag p99", "Busy");
        for (ContextInfo c : contexts) {
            ContextStats s = stats.contexts().stream().filter(x -> x.name().equals(c.name())).findFirst()
                    .orElse(null);
            html.append("<tr>");
            if (s == null) {
                cells(html, c.name(), c.status(), "", "", "", "");
            } else {
                cells(html, c.name(), c.status(), String.valueOf(s.pending()), nanos(s.lag().medianNanos()),
                        nanos(s.lag().p99Nanos()), nanos(s.busyNanos()));
            }
            html.append("</tr>\n");
        }
        end(html);
    }

    private static void operations(StringBuilder html, List<OperationInfo> operations) {
        section(html, "Operations (" + operations.size() + ")");
        table(html, "operations", "Name", "Usage", "Description", "Provider");
        for (OperationInfo o : operations) {
            html.append("<tr>");
            cells(html, o.name(), o.usage(), o.description(), o.provider());
            html.append("</tr>\n");
        }
        end(html);
    }

    private static void metrics(StringBuilder html, TaskStats stats, long lostReports) {
        section(html, "Metrics");
        RunnerStats r = stats.runner();
        html.append("<p class='statline' id='runner'>Runner: ")
                .append(r.virtualThreads() ? "platform + virtual threads" : "platform threads").append(", ")
                .append(r.threads()).append(" thread(s), ").append(r.busy()).append(" busy, ")
                .append(r.queued()).append(" queued; lost reports: ").append(lostReports).append("</p>\n");
        counts(html, "owners", "Owner", stats.owners());
        counts(html, "operation-metrics", "Operation", stats.operations());
    }

    private static void counts(StringBuilder html, String id, String what, List<TaskCounts> rows) {
        table(html, id, what, "Started", "Succeeded", "Failed", "Cancelled", "Disposed", "In flight",
                "Queue median", "Queue p99", "Run median", "Run p99");
        for (TaskCounts c : rows) {
            html.append("<tr>");
            cells(html, c.name(), String.valueOf(c.started()), String.valueOf(c.succeeded()),
                    String.valueOf(c.failed()), String.valueOf(c.cancelled()), String.valueOf(c.disposed()),
                    String.valueOf(c.inFlight()), nanos(c.queueTime().medianNanos()), nanos(c.queueTime().p99Nanos()),
                    nanos(c.runTime().medianNanos()), nanos(c.runTime().p99Nanos()));
            html.append("</tr>\n");
        }
        end(html);
    }

    private static void section(StringBuilder html, String title) {
        html.append("<h2 class='ui-widget-header'>").append(escape(title)).append("</h2>\n");
    }

    private static void table(StringBuilder html, String id, String... headers) {
        html.append("<table class='tablesorter nicetable' id='").append(id).append("'><thead><tr>");
        for (String h : headers) {
            html.append("<th>").append(escape(h)).append("</th>");
        }
        html.append("</tr></thead><tbody>\n");
    }

    private static void end(StringBuilder html) {
        html.append("</tbody></table>\n");
    }

    private static void cells(StringBuilder html, String... values) {
        for (String v : values) {
            html.append("<td>").append(escape(v == null ? "" : v)).append("</td>");
        }
    }

    /** A task's age, in whole milliseconds up to a minute, then in seconds. */
    static String age(Instant created, long nowMillis) {
        if (created == null) {
            return "";
        }
        long ms = Math.max(0, nowMillis - created.toEpochMilli());
        return ms < 60_000 ? ms + " ms" : ms / 1000 + " s";
    }

    /** Nanoseconds as milliseconds with three decimals; {@link Durations#NONE}'s zero as "-". */
    static String nanos(long nanos) {
        return nanos == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    /** HTML-escapes text for element content and single- or double-quoted attributes. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
            case '<' -> out.append("&lt;");
            case '>' -> out.append("&gt;");
            case '&' -> out.append("&amp;");
            case '"' -> out.append("&quot;");
            case '\'' -> out.append("&#39;");
            default -> out.append(c);
            }
        }
        return out.toString();
    }
}
