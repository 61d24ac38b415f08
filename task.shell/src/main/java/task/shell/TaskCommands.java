package task.shell;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import task.api.ContextInfo;
import task.api.Task;
import task.api.TaskInfo;
import task.api.TaskInspector;
import task.api.TaskService;
import task.api.metrics.ContextStats;
import task.api.metrics.Durations;
import task.api.metrics.RunnerStats;
import task.api.metrics.TaskCounts;
import task.api.metrics.TaskStats;
import task.api.spi.Operation.Argument;

/**
 * The Gogo commands of scope {@code task}: inspect and cancel tasks in
 * flight, list the event contexts, and start demo tasks. Each command prints
 * its output to the session's {@code System.out} (so that every command of a
 * chain such as {@code task:sleep 3 2000; task:tasks} shows its own, in Gogo
 * and in Karaf alike); bad input throws an exception naming the command and
 * the value, which the shell prints (and the non-interactive launcher turns
 * into a non-zero exit). Threading: the shell's, one command at a time per
 * session; the services it calls take any thread.
 */
@Component(service = Object.class) // Gogo finds commands by their scope property; no type of ours is registered
@GogoCommand(scope = CommandUsage.SCOPE, function = { "tasks", "contexts", "stats", "cancel", "sleep" })
public class TaskCommands {
    static final int MAX_SLEEPERS = 100_000;
    static final long MAX_SLEEP_MILLIS = Duration.ofDays(1).toMillis();

    static final CommandUsage TASKS = new CommandUsage("tasks",
            "list the tasks in flight: id, name, group, owner bundle, source, state, age, worker thread;"
                    + " with -v ID, one task and where it was created",
            List.of(new Argument("option", "-v, to show one task in detail with its creation stack", false),
                    new Argument("id", "with -v: the task's id, as task:tasks lists it", false)));
    static final CommandUsage CONTEXTS = new CommandUsage("contexts",
            "list the open event contexts: driver, state, pending events, what each runs and since when", List.of());
    static final CommandUsage STATS = new CommandUsage("stats",
            "the runtime's metrics: tasks per owner and per operation (outcomes, queue and run times),"
                    + " contexts, runner",
            List.of());
    static final CommandUsage CANCEL = new CommandUsage("cancel", "cancel a task in flight, interrupting its worker",
            List.of(new Argument("id", "the task's id, as task:tasks lists it", true)));
    static final CommandUsage SLEEP = new CommandUsage("sleep",
            "start demo tasks whose workers sleep, so that task:tasks has something to show",
            List.of(new Argument("count", "how many tasks, 1 to " + MAX_SLEEPERS, true),
                    new Argument("millis", "how long each worker sleeps, in milliseconds, 0 to " + MAX_SLEEP_MILLIS,
                            true),
                    new Argument("group", "a task group to start them in, which task:tasks shows (no '/')", false)));
    /** This class's commands, for help. */
    static final List<CommandUsage> USAGES = List.of(TASKS, CONTEXTS, STATS, CANCEL, SLEEP);

    @Reference
    TaskInspector inspector;

    @Reference
    TaskService tasks;


    /**
     * Lists the tasks in flight: prints one line per task, under a header;
     * or, given {@code -v ID}, that task's fields and where it was created
     * ({@link TaskInspector#creationStack(long)}).
     *
     * @param arguments none, or {@code -v} and a task's id
     * @throws IllegalArgumentException if the option is not {@code -v}, the id is missing or malformed, or
     *         no task with that id is in flight
     */
    @Descriptor("list the tasks in flight: id, name, group, owner bundle, source, state, age, worker thread;"
            + " with -v ID, one task and where it was created")
    public void tasks(@Descriptor("[-v ID]: show one task in detail") String... arguments) {
        List<String> given = TASKS.texts(arguments);
        if (!given.isEmpty()) {
            if (!given.get(0).equals("-v")) {
                throw TASKS.wrong("unknown option '" + given.get(0) + "': the only one is -v ID");
            }
            if (given.size() < 2) {
                throw TASKS.wrong("-v needs the task's ID");
            }
            describe(TASKS.whole("ID", given.get(1), 1, Long.MAX_VALUE));
            return;
        }
        List<TaskInfo> inFlight = inspector.inFlight();
        if (inFlight.isEmpty()) {
            System.out.println("no tasks in flight");
            return;
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "%6s  %-20s %-16s %-24s %-24s %-10s %9s  %s%n", "ID", "NAME", "GROUP", "OWNER", "SOURCE", "STATE", "AGE",
                "THREAD"));
        Instant now = Instant.now();
        for (TaskInfo task : inFlight) {
            out.append(String.format(Locale.ROOT, "%6d  %-20s %-16s %-24s %-24s %-10s %8.1fs  %s%n", task.id(),
                    clip(task.name(), 20), task.group() == null ? "-" : clip(task.group(), 16), clip(task.owner(), 24), clip(task.source(), 24), task.state(),
                    Duration.between(task.created(), now).toMillis() / 1000.0,
                    task.thread() == null ? "-" : task.thread()));
        }
        System.out.println(out.toString().stripTrailing());
    }

    /**
     * Prints one task in flight, a field per line, and the stack that created
     * it when its owner records creation sites.
     */
    private void describe(long id) {
        TaskInfo task = inspector.find(id).orElseThrow(() -> TASKS.wrong("no task #" + id + " is in flight"));
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder();
        out.append("task #").append(task.id()).append(" '").append(task.name()).append('\'').append(nl)
                .append("  owner   ").append(task.owner()).append(nl)
                .append("  source  ").append(task.source()).append(nl)
                .append("  state   ").append(task.state()).append(nl)
                .append("  group   ").append(task.group() == null ? "-" : task.group()).append(nl)
                .append("  created ").append(task.created()).append(String.format(Locale.ROOT, " (%.1fs ago)",
                        Duration.between(task.created(), Instant.now()).toMillis() / 1000.0)).append(nl)
                .append("  thread  ").append(task.thread() == null ? "-" : task.thread()).append(nl);
        List<StackTraceElement> stack = inspector.creationStack(id);
        if (stack.isEmpty()) {
            out.append("  created at: not recorded (turn on recordCreationSites, Config Admin PID task.service)");
        } else {
            out.append("  created at:");
            for (StackTraceElement frame : stack) {
                out.append(nl).append("    at ").append(frame);
            }
        }
        System.out.println(out);
    }

    /**
     * Lists the open event contexts: per context its driver, state, pending
     * events and what it runs (see {@link ContextInfo#status()}), and a last
     * line counting the reports lost since the runtime started if any were
     * (see {@link TaskInspector#lostReports()}). Prints one line per context.
     *
     * @param arguments none
     * @throws IllegalArgumentException if any is given
     */
    @Descriptor("list the open event contexts: driver, state, pending events, what each runs and since when")
    public void contexts(String... arguments) {
        CONTEXTS.texts(arguments);
        StringBuilder out = new StringBuilder();
        for (ContextInfo context : inspector.contexts()) {
            out.append(context.status()).append(System.lineSeparator());
        }
        long lost = inspector.lostReports();
        if (lost > 0) {
            out.append(lost).append(" report(s) lost: the log and System.err both failed")
                    .append(System.lineSeparator());
        }
        System.out.println(out.length() == 0 ? "no open contexts" : out.toString().stripTrailing());
    }

    /**
     * Prints the runtime's metrics ({@link TaskInspector#stats()}): a line
     * per owner and per operation with its task counts and the median and
     * 99th percentile of its queue and run times, a line per context, and
     * one for the runner.
     *
     * @param arguments none
     * @throws IllegalArgumentException if any is given
     */
    @Descriptor("the runtime's metrics: tasks per owner and per operation, contexts, runner")
    public void stats(String... arguments) {
        STATS.texts(arguments);
        TaskStats stats = inspector.stats();
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "%-10s %-24s %8s %9s %7s %9s %8s %6s  %-19s %s%n", "KIND", "NAME", "STARTED", "SUCCEEDED",
                "FAILED", "CANCELLED", "DISPOSED", "ACTIVE", "QUEUE p50/p99", "RUN p50/p99"));
        for (TaskCounts owner : stats.owners()) {
            counts(out, "owner", owner);
        }
        for (TaskCounts operation : stats.operations()) {
            counts(out, "operation", operation);
        }
        for (ContextStats context : stats.contexts()) {
            out.append(String.format(Locale.ROOT, "context    %-24s %d pending, lag p50/p99 %s, busy %s%n",
                    clip(context.name(), 24), context.pending(), percentiles(context.lag()),
                    duration(context.busyNanos())));
        }
        RunnerStats runner = stats.runner();
        out.append(String.format(Locale.ROOT, "runner     %s: %d thread(s), %d busy, %d queued",
                runner.virtualThreads() ? "platform pool + virtual threads" : "platform pool", runner.threads(), runner.busy(),
                runner.queued())).append(nl);
        System.out.println(out.toString().stripTrailing());
    }

    private static void counts(StringBuilder out, String kind, TaskCounts counts) {
        out.append(String.format(Locale.ROOT, "%-10s %-24s %8d %9d %7d %9d %8d %6d  %-19s %s%n", kind,
                clip(counts.name(), 24), counts.started(), counts.succeeded(), counts.failed(), counts.cancelled(),
                counts.disposed(), counts.inFlight(), percentiles(counts.queueTime()),
                percentiles(counts.runTime())));
    }

    /** @return for example {@code 12us/1.4ms}, or {@code -} when nothing was recorded */
    private static String percentiles(Durations durations) {
        return durations.count() == 0 ? "-"
                : duration(durations.medianNanos()) + "/" + duration(durations.p99Nanos());
    }

    private static String duration(long nanos) {
        if (nanos < 1_000) {
            return nanos + "ns";
        }
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%.1fus", nanos / 1e3);
        }
        if (nanos < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1fms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.2fs", nanos / 1e9);
    }

    /**
     * Cancels a task in flight, interrupting its worker.
     *
     * @param arguments ID, the task's id, as listed by {@code task:tasks}
     * Prints what happened.
     *
     * @throws IllegalArgumentException if the id is missing or not a positive number, if no task with that
     *         id is in flight, or if it cannot be cancelled
     */
    @Descriptor("cancel a task in flight, interrupting its worker")
    public void cancel(@Descriptor("ID: the task id, as listed by task:tasks") String... arguments) {
        long id = CANCEL.whole("ID", CANCEL.texts(arguments).get(0), 1, Long.MAX_VALUE);
        TaskInfo task = inspector.find(id).orElseThrow(
                () -> new UsageError("task:cancel: no task #" + id + " is in flight"));
        if (!inspector.cancel(id)) {
            throw new UsageError("task:cancel: task #" + id + " ('" + task.name()
                    + "') is already cancelled or completing");
        }
        System.out.println("cancelled task #" + id + " ('" + task.name() + "')");
    }

    /**
     * Starts demo tasks whose workers sleep, so that {@code task:tasks} has
     * something to show.
     *
     * @param arguments COUNT, how many tasks, 1 to 100000, and MILLIS, how
     *        long each worker sleeps, 0 to one day
     * Prints the ids started.
     *
     * @throws IllegalArgumentException if a value is missing, not a number or out of range
     */
    @Descriptor("start background tasks whose workers sleep")
    public void sleep(@Descriptor("COUNT MILLIS [GROUP]: how many tasks, how long each sleeps in milliseconds, their group")
            String... arguments) {
        List<String> texts = SLEEP.texts(arguments);
        long count = SLEEP.whole("COUNT", texts.get(0), 1, MAX_SLEEPERS);
        long millis = SLEEP.whole("MILLIS", texts.get(1), 0, MAX_SLEEP_MILLIS);
        TaskService service = tasks;
        if (texts.size() > 2) {
            String group = texts.get(2);
            if (group.isBlank() || group.contains("/")) {
                throw SLEEP.wrong("GROUP must be a name without '/', got '" + group + "'");
            }
            service = tasks.group(group).tasks();
        }
        long first = 0;
        long last = 0;
        for (int i = 0; i < count; i++) {
            Task<String, Void> task = service.<String, Void>builder("sleep " + millis + " ms", done -> done.propagateError())
                    .name("sleep-" + (i + 1))
                    .create();
            task.runInThread(running -> Thread.sleep(millis));
            first = i == 0 ? task.id() : first;
            last = task.id();
        }
        System.out.println("started " + count + " task(s) #" + first + (count > 1 ? "..#" + last : "")
                + ", each sleeping " + millis + " ms");
    }

    private static String clip(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width - 1) + "…";
    }
}
