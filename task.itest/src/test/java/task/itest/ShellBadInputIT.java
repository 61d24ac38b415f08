package task.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.After;
import org.junit.Test;
import org.osgi.framework.Bundle;

import task.api.TaskInspector;
import task.api.spi.OperationInfo;
import task.api.spi.OperationService;

/**
 * Every {@code task} shell command with bad input, through Gogo's own
 * command processor: missing, extra, non-numeric, zero, negative, huge and
 * unknown values, lists made by the shell's own syntax, unscoped names
 * (which must be the task commands, not Gogo's {@code felix:resolve}). Each
 * row must fail with an {@link IllegalArgumentException} of ours whose
 * message names the command and the argument or value, and shows the usage
 * line: no row reaches Gogo's "Cannot coerce". After each row no task is in
 * flight.
 */
public class ShellBadInputIT extends TaskContainerTest {

    @Inject
    CommandProcessor shell;

    @Inject
    TaskInspector inspector;

    @Inject
    OperationService operations;

    private Bundle resolver;

    /**
     * One row: a command line and what its error message must contain,
     * besides the usage line for a wrong call (none for a right call that the
     * runtime's state refuses, such as an id no task has).
     */
    record Row(String command, boolean wrongCall, List<String> fragments) {
        @Override
        public String toString() {
            return command;
        }
    }

    private static Row ours(String command, String... fragments) {
        return new Row(command, true, Arrays.asList(fragments));
    }

    private static Row refused(String command, String... fragments) {
        return new Row(command, false, Arrays.asList(fragments));
    }

    static List<Row> taskCommands() {
        return List.of(
                ours("task:cancel", "task:cancel: missing ID"),
                ours("task:cancel abc", "task:cancel", "ID", "'abc'"),
                ours("task:cancel 1.5", "task:cancel", "'1.5'"),
                ours("task:cancel 99999999999999999999", "task:cancel", "'99999999999999999999'"),
                ours("task:cancel 1 2", "task:cancel: too many arguments"),
                ours("task:cancel -1", "task:cancel", "got -1"),
                ours("task:cancel 0", "task:cancel", "got 0"),
                ours("task:cancel -9223372036854775808", "task:cancel", "got -9223372036854775808"),
                refused("task:cancel 9223372036854775807", "task:cancel", "#9223372036854775807", "no task"),
                refused("task:cancel 987654", "task:cancel", "#987654", "no task"),
                ours("task:sleep", "task:sleep: missing COUNT"),
                ours("task:sleep 1", "task:sleep: missing MILLIS"),
                ours("task:sleep a 10", "task:sleep", "COUNT", "'a'"),
                ours("task:sleep 1 ten", "task:sleep", "MILLIS", "'ten'"),
                ours("task:sleep 99999999999 10", "task:sleep", "COUNT", "got 99999999999"),
                ours("task:sleep 4294967297 10", "task:sleep", "COUNT", "got 4294967297"),
                ours("task:sleep 1 99999999999999999999", "task:sleep", "MILLIS", "'99999999999999999999'"),
                ours("task:sleep 1 2 g h", "task:sleep: too many arguments"),
                ours("task:sleep 1 2 a/b", "task:sleep", "GROUP", "'a/b'"),
                ours("task:sleep 0 10", "task:sleep", "COUNT", "got 0"),
                ours("task:sleep -1 10", "task:sleep", "COUNT", "got -1"),
                ours("task:sleep 100001 10", "task:sleep", "COUNT", "got 100001"),
                ours("task:sleep 2147483647 10", "task:sleep", "COUNT", "got 2147483647"),
                ours("task:sleep 1 -1", "task:sleep", "MILLIS", "got -1"),
                ours("task:sleep 1 86400001", "task:sleep", "MILLIS", "got 86400001"),
                ours("task:sleep 1 -9223372036854775808", "task:sleep", "MILLIS", "got -9223372036854775808"),
                ours("task:sleep 0 -1", "task:sleep", "COUNT", "got 0"),
                ours("task:run", "task:run: missing NAME"),
                ours("task:run nope", "task:run", "'nope'", "no operation"),
                ours("task:run ''", "task:run", "''", "no operation"),
                ours("task:run ' '", "task:run", "' '", "no operation"),
                ours("task:run null", "task:run", "null", "no operation"),
                ours("task:run nope a b", "task:run", "'nope'"),
                ours("task:operations extra", "task:operations: too many arguments"),
                ours("task:tasks extra", "task:tasks", "unknown option 'extra'"),
                ours("task:tasks 1 2", "task:tasks", "unknown option '1'"),
                ours("task:tasks -v", "task:tasks", "-v needs the task's ID"),
                ours("task:tasks -v x", "task:tasks", "ID must be a whole number, got 'x'"),
                ours("task:tasks -v 0", "task:tasks", "ID must be 1 to"),
                ours("task:tasks -v 987654", "task:tasks: no task #987654 is in flight"),
                ours("task:tasks -v 1 2", "task:tasks: too many arguments"),
                ours("task:contexts extra", "task:contexts: too many arguments"),
                ours("task:stats extra", "task:stats: too many arguments"),
                ours("help nosuchcommand", "task:help", "'nosuchcommand'"),
                ours("help 'x; stop 0'", "task:help", "'x; stop 0'"));
    }

    static List<Row> resolverCommands() {
        return List.of(
                ours("task:resolve", "task:resolve: missing HOST"),
                ours("resolve", "task:resolve: missing HOST"),
                ours("task:resolve ''", "resolve", "''"),
                ours("task:resolve localhost 65536", "resolve: port 65536 out of range 0..65535"),
                ours("resolve localhost 65536", "resolve: port 65536 out of range 0..65535"),
                ours("task:resolve localhost -1", "resolve", "-1"),
                ours("task:resolve localhost http-alt-nope", "resolve", "http-alt-nope"),
                ours("task:resolve localhost 80 ipv7", "resolve", "ipv7"),
                ours("task:resolve a 1 ipv4 extra", "task:resolve: too many arguments"),
                ours("task:resolve [::1]", "task:resolve", "HOST", "list", "quote it"),
                ours("task:run resolve", "task:resolve: missing HOST"),
                ours("task:run resolve localhost 99999999999999999999", "resolve", "99999999999999999999"));
    }

    @After
    public void removeResolver() throws Exception {
        if (resolver != null) {
            resolver.uninstall();
            resolver = null;
        }
    }

    @Test
    public void taskCommandsRejectBadInput() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Row row : taskCommands()) {
            check(row, problems);
        }
        assertNoProblems(problems);
    }

    @Test
    public void resolverCommandsRejectBadInput() throws Exception {
        File jar = new File(System.getProperty("task.plugins.resolver.bundle"));
        resolver = bundleContext.installBundle(jar.toURI().toString());
        resolver.start();
        Optional<OperationInfo> resolve = operations.find("resolve");
        assertTrue("the resolver's operation is registered", resolve.isPresent());

        List<String> problems = new ArrayList<>();
        for (Row row : resolverCommands()) {
            check(row, problems);
        }
        assertNoProblems(problems);

        resolver.uninstall();
        resolver = null;
        Exception gone = assertFails("task:resolve localhost");
        assertTrue(gone.getMessage(), gone.getMessage().contains("resolve"));
        assertEmpty("after uninstalling the resolver");
    }

    /** Runs one row; records what is wrong with it instead of stopping at the first. */
    private void check(Row row, List<String> problems) {
        Exception failure;
        try {
            String output = GogoShell.execute(shell, row.command());
            problems.add(row + ": did not fail, printed: " + output);
            cleanUpAfterUnexpectedSuccess();
            return;
        } catch (Exception e) {
            failure = e;
        }
        String message = failure.getMessage();
        if (message == null) {
            problems.add(row + ": " + failure.getClass().getName() + " without a message");
        } else {
            List<String> expected = new ArrayList<>(row.fragments());
            if (row.wrongCall()) {
                expected.add("usage: task:"); // every wrong call shows how to make it right
            }
            for (String fragment : expected) {
                if (!message.contains(fragment)) {
                    problems.add(row + ": message '" + message + "' lacks '" + fragment + "'");
                }
            }
            if (!(failure instanceof IllegalArgumentException)) {
                problems.add(row + ": expected an IllegalArgumentException from our code, got " + failure);
            }
        }
        if (!inspector.inFlight().isEmpty()) {
            problems.add(row + ": tasks left in flight: " + inspector.inFlight());
            cleanUpAfterUnexpectedSuccess();
        }
        System.out.println("[bad input] " + row + " -> " + failure.getClass().getSimpleName() + ": " + message);
    }

    private void cleanUpAfterUnexpectedSuccess() {
        inspector.inFlight().forEach(task -> inspector.cancel(task.id()));
    }

    private Exception assertFails(String command) {
        try {
            fail(command + " printed " + GogoShell.execute(shell, command));
            return null;
        } catch (Exception e) {
            assertNotNull(command + ": no message", e.getMessage());
            return e;
        }
    }

    private void assertEmpty(String when) throws Exception {
        assertEquals(when, List.of(), inspector.inFlight());
        assertEquals(when, "no tasks in flight", GogoShell.execute(shell, "task:tasks"));
    }

    private void assertNoProblems(List<String> problems) throws Exception {
        assertTrue(String.join("\n", problems), problems.isEmpty());
        assertEmpty("after the table");
    }
}
