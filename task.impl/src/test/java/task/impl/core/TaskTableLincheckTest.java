package task.impl.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

import task.api.Task;
import task.api.TaskState;
import task.impl.log.ReportLevel;
import task.impl.loop.EventLoop;

/**
 * Model checking of the task table with Lincheck, as {@link TaskLincheckTest}
 * does for one task: tasks created, completed and disposed by their owner
 * going away, from two threads, every interleaving of their accesses to the
 * table explored, in two fixed scenarios. After each execution the table
 * must hold exactly the owner's tasks that have not finished, each once;
 * each task's cleanup must have run once if it finished, else never; an
 * owner gone away must have left no task unfinished. The first scenario is
 * the race that a table writing a task's slot number only after the task
 * could be seen in its slot lost: an owner going away found the new task,
 * disposed it, and its removal emptied the slot that the number, not yet
 * written, named by default, someone else's; the task stayed in the table
 * for good.
 * <p>
 * Fixed scenarios only: Lincheck 3.7's random scenarios of these
 * operations, and longer fixed ones, fail inside Lincheck itself (a
 * NullPointerException restoring its memory snapshot), on the old table as
 * on the new. The loop bound is raised because a scan reads every slot,
 * which Lincheck would otherwise take for a spin loop that never ends.
 */
class TaskTableLincheckTest {
    private static final int INVOCATIONS = TaskLincheckTest.LONG ? 500 : 200;

    @Test
    void anOwnerGoingAwayBesideTheCreationOfItsSecondTask() {
        new ModelCheckingOptions()
                .iterations(0)
                .invocationsPerIteration(INVOCATIONS * 2)
                .addCustomScenario(TaskLincheckTest.scenario(TableHarness.class,
                        List.of(List.of("create", "create"), List.of("disposeAll"))))
                .addCustomScenario(TaskLincheckTest.scenario(TableHarness.class,
                        List.of(List.of("create", "complete"), List.of("create", "disposeAll"))))
                .loopBound(10_000)
                .check(TableHarness.class);
    }

    /** One owner's tasks in a table of their own; a new instance per explored execution. */
    public static class TableHarness {
        private final TaskLincheckTest.CollectingReporter reporter = new TaskLincheckTest.CollectingReporter();
        private final TaskLincheckTest.RecordingRunner runner = new TaskLincheckTest.RecordingRunner();
        private final EventLoop loop = EventLoop.driven("lincheck-table", reporter);
        private final TaskTable table = new TaskTable();
        private final TaskFactory owner = new TaskFactory("owner", runner, loop, table, reporter, ReportLevel.DEBUG);
        /** Every task create() made, and the ones not yet taken by complete(). */
        private final Queue<Task<String, Void>> made = new ConcurrentLinkedQueue<>();
        private final Queue<Task<String, Void>> open = new ConcurrentLinkedQueue<>();
        /** The runs of each made task's cleanup. */
        private final Map<Task<?, ?>, AtomicInteger> cleanups = Collections.synchronizedMap(new IdentityHashMap<>());
        /** The runs of the cleanups of tasks whose creation threw (made, then disposed at once, or never made). */
        private final AtomicInteger refusedCleanups = new AtomicInteger();
        private final AtomicInteger refused = new AtomicInteger();
        private volatile boolean gone;

        /** Makes a task, unless its owner has gone away (then create throws). */
        @Operation
        public void create() {
            AtomicInteger runs = new AtomicInteger();
            Task<String, Void> task;
            try {
                task = owner.create("source", t -> { }, runs::incrementAndGet);
            } catch (IllegalStateException released) {
                refused.incrementAndGet();
                refusedCleanups.addAndGet(runs.get());
                return;
            }
            cleanups.put(task, runs);
            made.add(task);
            open.add(task);
        }

        /** Completes the oldest task no complete() has taken; it may have been disposed meanwhile. */
        @Operation
        public void complete() {
            Task<String, Void> task = open.poll();
            if (task != null) {
                task.complete();
            }
        }

        /** The owner goes away: its tasks are disposed, and it makes no more. */
        @Operation
        public void disposeAll() {
            gone = true;
            owner.disposeAll();
        }

        @Validate
        public void validate() {
            List<String> problems = new ArrayList<>();
            Set<TaskImpl<?, ?>> unfinished = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Task<String, Void> task : made) {
                boolean done = task.state() == TaskState.FINISHED;
                if (cleanups.get(task).get() != (done ? 1 : 0)) {
                    problems.add("task #" + task.id() + " (" + task.state() + ") ran its cleanup "
                            + cleanups.get(task) + " times");
                }
                if (!done) {
                    unfinished.add((TaskImpl<?, ?>) task);
                    if (gone) {
                        problems.add("task #" + task.id() + " outlived its owner: " + task.state());
                    }
                }
            }
            List<TaskImpl<?, ?>> listed = table.ownedBy(owner);
            Set<TaskImpl<?, ?>> listedOnce = Collections.newSetFromMap(new IdentityHashMap<>());
            for (TaskImpl<?, ?> task : listed) {
                if (!listedOnce.add(task)) {
                    problems.add("task #" + task.id + " is in the table twice");
                }
            }
            if (!listedOnce.equals(unfinished)) {
                problems.add("the table holds " + ids(listed) + " where the unfinished tasks are "
                        + ids(unfinished));
            }
            if (refusedCleanups.get() > refused.get()) {
                problems.add(refused + " creations refused, but their cleanups ran " + refusedCleanups + " times");
            }
            if (!problems.isEmpty()) {
                throw new AssertionError(String.join("; ", problems));
            }
        }

        private static List<Long> ids(Iterable<? extends TaskImpl<?, ?>> tasks) {
            List<Long> ids = new ArrayList<>();
            for (TaskImpl<?, ?> task : tasks) {
                ids.add(task.id);
            }
            Collections.sort(ids);
            return ids;
        }
    }
}
