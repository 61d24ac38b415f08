package task.impl.jfr;

import jdk.jfr.EventType;

/**
 * The runtime's JFR events, for the code that emits them: each call costs
 * one check of whether its event is enabled when it is not (events are off
 * by default, {@code @Enabled(false)}, until a recording's settings turn
 * them on, e.g. {@code jfr configure +task.WorkerRun#enabled=true}).
 * <p>
 * Only used when {@link #AVAILABLE}: inside OSGi the {@code jdk.jfr}
 * package is imported optionally, so a framework that does not export it
 * leaves the runtime without events rather than without the runtime. Callers
 * test {@code AVAILABLE} before touching this class's other members, which
 * link to {@code jdk.jfr}.
 * <p>
 * An event class, once the JDK instruments it, calls into
 * {@code jdk.jfr.internal} from the class loader that defined it: a bundle's,
 * which finds that package only by boot delegation. Where it does not (a
 * framework configured without it), the first event fails to link: events are
 * then turned off for good ({@link #broken}) and the task goes on; nothing
 * thrown here reaches a worker, a callback or a loop.
 */
public final class TaskEvents {
    /** Whether {@code jdk.jfr} can be loaded here (always in plain Java on a JDK with JFR). */
    public static final boolean AVAILABLE = jfrLoads();

    /** Set once an event failed to link: no event is attempted again. */
    private static volatile boolean broken;

    private TaskEvents() {
    }

    /** An event failed to link (see the class comment): off from now on. */
    private static Object off(LinkageError why) {
        broken = true;
        System.getLogger("task.runtime").log(System.Logger.Level.WARNING,
                "task runtime: JFR events are off: an event class cannot link to jdk.jfr.internal from this class"
                        + " loader (inside OSGi, delegate jdk.jfr.internal.* to the boot class loader:"
                        + " org.osgi.framework.bootdelegation)", why);
        return null;
    }

    private static boolean jfrLoads() {
        try {
            Class.forName("jdk.jfr.Event", false, TaskEvents.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError absent) {
            return false;
        }
    }

    /** Holds the event types, so that loading them waits for the first call after AVAILABLE was checked. */
    private static final class Types {
        static final EventType WORKER_RUN = EventType.getEventType(WorkerRunEvent.class);
        static final EventType COMPLETION = EventType.getEventType(TaskCompletionEvent.class);
        static final EventType STALL = EventType.getEventType(ContextStallEvent.class);
    }

    /** @return whether worker runs are recorded now (worth a queue timestamp) */
    public static boolean workerRunsEnabled() {
        try {
            return !broken && Types.WORKER_RUN.isEnabled();
        } catch (LinkageError why) {
            off(why);
            return false;
        }
    }

    /**
     * Begins a worker run's event, if enabled.
     *
     * @return the event to {@link #endWorkerRun end}, or null when not recorded
     */
    public static Object beginWorkerRun() {
        try {
            if (broken || !Types.WORKER_RUN.isEnabled()) {
                return null;
            }
            WorkerRunEvent event = new WorkerRunEvent();
            event.begin();
            return event;
        } catch (LinkageError why) {
            return off(why);
        }
    }

    /**
     * Commits a worker run's event from {@link #beginWorkerRun}.
     *
     * @param handle the event, not null
     * @param queuedNanos the {@link System#nanoTime()} of runInThread, or {@link Long#MIN_VALUE} if unknown
     * @param startedNanos the {@code nanoTime()} the worker started at
     */
    public static void endWorkerRun(Object handle, long taskId, String taskName, String owner, String operation,
            long queuedNanos, long startedNanos, String outcome) {
        try {
            WorkerRunEvent event = (WorkerRunEvent) handle;
            event.end();
            if (event.shouldCommit()) {
                event.taskId = taskId;
                event.taskName = taskName;
                event.owner = owner;
                event.operation = operation;
                event.queueTime = queuedNanos == Long.MIN_VALUE ? Long.MIN_VALUE : startedNanos - queuedNanos;
                event.outcome = outcome;
                event.commit();
            }
        } catch (LinkageError why) {
            off(why);
        }
    }

    /** @return a completion's event, begun, or null when not recorded */
    public static Object beginCompletion() {
        try {
            if (broken || !Types.COMPLETION.isEnabled()) {
                return null;
            }
            TaskCompletionEvent event = new TaskCompletionEvent();
            event.begin();
            return event;
        } catch (LinkageError why) {
            return off(why);
        }
    }

    /** Commits a completion's event from {@link #beginCompletion}. */
    public static void endCompletion(Object handle, long taskId, String taskName, String owner, String operation,
            String outcome) {
        try {
            TaskCompletionEvent event = (TaskCompletionEvent) handle;
            event.end();
            if (event.shouldCommit()) {
                event.taskId = taskId;
                event.taskName = taskName;
                event.owner = owner;
                event.operation = operation;
                event.outcome = outcome;
                event.commit();
            }
        } catch (LinkageError why) {
            off(why);
        }
    }

    /** Records a stall the checker reports, if enabled. */
    public static void stall(String context, String running, String thread, long stalledForNanos) {
        try {
            if (broken || !Types.STALL.isEnabled()) {
                return;
            }
            ContextStallEvent event = new ContextStallEvent();
            event.context = context;
            event.running = running;
            event.thread = thread;
            event.stalledFor = stalledForNanos;
            event.commit();
        } catch (LinkageError why) {
            off(why);
        }
    }
}
