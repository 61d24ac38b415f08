package task.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.ops4j.pax.exam.util.Filter;

import task.api.EventContext;
import task.api.TaskInfo;
import task.api.TaskInspector;
import task.api.TaskState;

/** The {@code task} shell commands against the live runtime, through Gogo's own command processor. */
public class ShellCommandsIT extends TaskContainerTest {

    @Inject
    CommandProcessor shell;

    @Inject
    TaskInspector inspector;

    @Inject
    @Filter("(" + EventContext.NAME_PROPERTY + "=" + EventContext.DEFAULT_NAME + ")")
    EventContext defaultContext;

    @Test
    public void sleepStartsTasksThatTasksListsAndCancelEnds() throws Exception {
        String started = execute("task:sleep 2 600000");
        assertTrue(started, started.startsWith("started 2 task(s)"));
        List<TaskInfo> sleeping = inspector.inFlight().stream().filter(info -> info.name().startsWith("sleep-")).toList();
        assertEquals(2, sleeping.size());

        String listing = execute("task:tasks");
        for (TaskInfo task : sleeping) {
            assertTrue(listing, listing.contains("sleep-") && listing.contains(String.valueOf(task.id())));
            assertEquals("task.shell", task.owner());
        }
        assertTrue(listing, listing.contains("OWNER") && listing.contains("task.shell"));

        for (TaskInfo task : sleeping) {
            assertTrue(execute("task:cancel " + task.id()).startsWith("cancelled task #" + task.id()));
            TaskState after = inspector.find(task.id()).map(TaskInfo::state).orElse(TaskState.FINISHED);
            assertNotEquals("cancel took effect at once", TaskState.RUNNING, after);
        }
    }

    /** Tasks started in a group are listed with it. */
    @Test
    public void tasksShowsTheGroupOfEachTask() throws Exception {
        String started = execute("task:sleep 2 600000 nightly");
        assertTrue(started, started.startsWith("started 2 task(s)"));
        List<TaskInfo> grouped = inspector.inFlight().stream().filter(info -> "nightly".equals(info.group())).toList();
        assertEquals(2, grouped.size());
        String listing = execute("task:tasks");
        assertTrue(listing, listing.contains("GROUP"));
        for (TaskInfo task : grouped) {
            String line = listing.lines().filter(l -> l.trim().startsWith(task.id() + " ")).findFirst().orElse("");
            assertTrue(listing, line.contains(" nightly "));
            execute("task:cancel " + task.id());
        }
    }

    /** task:stats counts what the shell's tasks did, and shows the contexts and the runner. */
    @Test
    public void statsCountsTheTasksPerOwnerAndPerOperation() throws Exception {
        // One worker run in 16 is timed, at random: of 400, none with a chance of 6e-12.
        String started = execute("task:sleep 400 0");
        assertTrue(started, started.startsWith("started 400 task(s)"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (inspector.inFlight().stream().anyMatch(info -> info.name().startsWith("sleep-"))) {
            assertTrue("the sleepers finished", System.nanoTime() - deadline < 0);
            Thread.yield();
        }
        String stats = execute("task:stats");
        assertTrue(stats, stats.startsWith("KIND       NAME"));
        String owner = stats.lines().filter(l -> l.startsWith("owner      task.shell ")).findFirst().orElse("");
        String[] columns = owner.trim().split(" +");
        assertTrue(stats, columns.length >= 8);
        assertTrue(stats, Long.parseLong(columns[2]) >= 400 && Long.parseLong(columns[3]) >= 400);
        assertTrue("queue and run times were recorded: " + stats, !columns[8].equals("-"));
        assertTrue(stats, stats.contains("context    task-default-context "));
        assertTrue(stats, stats.lines().anyMatch(l -> l.startsWith("runner     ")));
    }

    @Test
    public void contextsListsTheDefaultContext() throws Exception {
        String listing = execute("task:contexts");
        assertTrue(listing, listing.contains("task-default-context [own thread] open, "));
    }

    @Test
    public void contextsShowsWhatABusyContextRunsAndSinceWhen() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        defaultContext.post(() -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertTrue("the event runs", entered.await(30, TimeUnit.SECONDS));
            String running = "task-default-context [own thread] open, ";
            String what = "running an event (" + ShellCommandsIT.class.getName();
            String listing = execute("task:contexts");
            assertTrue(listing, listing.contains(running) && listing.contains(what));
            // "since" appears once the stall checker has seen the event (a look every quarter threshold).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!listing.contains(" since ")) {
                assertTrue("the checker saw the busy context: " + listing, System.nanoTime() - deadline < 0);
                Thread.yield();
                listing = execute("task:contexts");
            }
            assertTrue(listing, listing.contains(what) && listing.contains(" ms)"));
        } finally {
            release.countDown();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String listing = execute("task:contexts");
        while (!listing.contains("task-default-context [own thread] open, 0 pending, idle")) {
            assertTrue("idle again: " + listing, System.nanoTime() - deadline < 0);
            Thread.yield();
            listing = execute("task:contexts");
        }
    }

    @Test
    public void badInputFailsNamingTheCommandAndTheValue() {
        assertFailure("task:cancel 987654", "task:cancel: no task #987654 is in flight");
        assertFailure("task:cancel -3", "task:cancel: ID must be 1 to 9223372036854775807, got -3\nusage: task:cancel ID");
        assertFailure("task:sleep 0 10", "task:sleep: COUNT must be 1 to 100000, got 0\nusage: task:sleep COUNT MILLIS [GROUP]");
        assertFailure("task:sleep 1 -5", "task:sleep: MILLIS must be 0 to 86400000, got -5\nusage: task:sleep COUNT MILLIS [GROUP]");
    }

    private void assertFailure(String command, String message) {
        Exception failure = assertThrows(Exception.class, () -> execute(command));
        assertEquals(message, failure.getMessage());
    }

    private String execute(String command) throws Exception {
        return GogoShell.execute(shell, command);
    }
}
