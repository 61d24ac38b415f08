package task.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import task.api.TaskInfo;
import task.api.TaskInspector;

/**
 * Where a task came from: {@code task:tasks -v ID} shows one task, and the
 * stack that created it once Config Admin turns on {@code recordCreationSites}
 * (PID {@code task.service}), as an operator would.
 */
public class CreationSiteIT extends TaskContainerTest {
    private static final String SERVICE_PID = "task.service";

    @Inject
    CommandProcessor shell;

    @Inject
    TaskInspector inspector;

    @Inject
    ConfigurationAdmin configurationAdmin;

    @Test
    public void tasksDashVShowsOneTaskAndWhereItWasCreatedWhenRecorded() throws Exception {
        long unrecorded = startSleeper();
        String plain = GogoShell.execute(shell, "task:tasks -v " + unrecorded);
        assertTrue(plain, plain.startsWith("task #" + unrecorded + " 'sleep-1'"));
        assertTrue(plain, plain.contains("owner   task.shell") && plain.contains("state   "));
        assertTrue(plain, plain.contains("created at: not recorded (turn on recordCreationSites"));
        GogoShell.execute(shell, "task:cancel " + unrecorded);

        Configuration configuration = configurationAdmin.getConfiguration(SERVICE_PID, "?");
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("recordCreationSites", true);
        configuration.update(properties);
        try {
            // The shell's task service is re-created with the new setting: until
            // then a sleeper may come from the old one, or the command be absent.
            long recorded = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (recorded == 0) {
                assertTrue("a task recorded its creation site", System.nanoTime() - deadline < 0);
                long id = sleeperOrZero();
                if (id == 0) {
                    Thread.yield();
                    continue;
                }
                if (inspector.creationStack(id).isEmpty()) {
                    inspector.cancel(id); // not through the shell, whose commands may be re-registering
                } else {
                    recorded = id;
                }
            }
            String detail = GogoShell.execute(shell, "task:tasks -v " + recorded);
            assertTrue(detail, detail.contains("created at:\n    at ")
                    || detail.contains("created at:" + System.lineSeparator() + "    at "));
            assertTrue("the shell command that created it is on the stack: " + detail,
                    detail.contains("at task.shell.TaskCommands.sleep("));
            GogoShell.execute(shell, "task:cancel " + recorded);
        } finally {
            configuration.delete();
        }
    }

    /**
     * Starts one demo task while the shell's task service may be re-created:
     * the command may be missing, or its task disposed with the old service.
     *
     * @return the task's id, or 0 if no sleeper of this call is in flight
     */
    private long sleeperOrZero() {
        try {
            List<Long> before = inspector.inFlight().stream().map(TaskInfo::id).toList();
            GogoShell.execute(shell, "task:sleep 1 600000");
            return inspector.inFlight().stream()
                    .filter(info -> info.name().equals("sleep-1") && !before.contains(info.id()))
                    .mapToLong(TaskInfo::id).findFirst().orElse(0);
        } catch (Exception reactivating) {
            return 0;
        }
    }

    /** Starts one demo task that sleeps for ten minutes; returns its id. */
    private long startSleeper() throws Exception {
        List<Long> before = inspector.inFlight().stream().map(TaskInfo::id).toList();
        String started = GogoShell.execute(shell, "task:sleep 1 600000");
        assertTrue(started, started.startsWith("started 1 task(s)"));
        List<TaskInfo> sleepers = inspector.inFlight().stream()
                .filter(info -> info.name().equals("sleep-1") && !before.contains(info.id())).toList();
        assertEquals(sleepers.toString(), 1, sleepers.size());
        return sleepers.get(0).id();
    }
}
