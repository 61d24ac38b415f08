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
 * unknown values. Each row must fail. Where our code sees the value, the
 * message must name the command and the value; where Gogo rejects the
 * command line before our code runs (it cannot convert a value to the
 * parameter's type, or the argument count matches no method), the row is
 * marked {@link Source#GOGO} and must still fail, with Gogo's message
 * naming the command's function. After each row no task is in flight.
 */
public class ShellBadInputIT extends TaskContainerTest {

    @Inject
    CommandProcessor shell;

    @Inject
    TaskInspector inspector;

    @Inject
    OperationService operations;

    private Bundle resolver;

    /** Who rejects the input. */
    enum Source {
        /** Our command: the message names the command and the value. */
        OURS,
        /** Gogo, before our code runs: the message names the function. */
        GOGO
    }

    /** One row: a command line, who rejects it, and what the message must contain. */
    record Row(String command, Source source, List<String> fragments) {
        @Override
        public String toString() {
            return command;
        }
    }

    private static Row ours(String command, String... fragments) {
        return new Row(command, Source.OURS, Arrays.asList(fragments));
    }

    private static Row gogo(String command, String... fragments) {
        return new Row(command, Source.GOGO, Arrays.asList(fragments));
    }

    static List<Row> taskCommands() {
        return List.of(
                gogo("task:cancel", "cancel"),
                gogo("task:cancel abc", "cancel"),
                gogo("task:cancel 1.5", "cancel"),
                gogo("task:cancel 99999999999999999999", "cancel"),
                gogo("task:cancel 1 2", "cancel"),
                ours("task:cancel -1", "task:cancel", "got -1"),
                ours("task:cancel 0", "task:cancel", "got 0"),
                ours("task:cancel -9223372036854775808", "task:cancel", "got -9223372036854775808"),
                ours("task:cancel 9223372036854775807", "task:cancel", "#9223372036854775807", "no task"),
                ours("task:cancel 987654", "task:cancel", "#987654", "no task"),
                gogo("task:sleep", "sleep"),
                gogo("task:sleep 1", "sleep"),
                gogo("task:sleep a 10", "sleep"),
                gogo("task:sleep 1 ten", "sleep"),
                ours("task:sleep 99999999999 10", "task:sleep", "count", "got 99999999999"),
                ours("task:sleep 4294967297 10", "task:sleep", "count", "got 4294967297"),
                gogo("task:sleep 1 99999999999999999999", "sleep"),
                gogo("task:sleep 1 2 3", "sleep"),
                ours("task:sleep 0 10", "task:sleep", "count", "got 0"),
                ours("task:sleep -1 10", "task:sleep", "count", "got -1"),
                ours("task:sleep 100001 10", "task:sleep", "count", "got 100001"),
                ours("task:sleep 2147483647 10", "task:sleep", "count", "got 2147483647"),
                ours("task:sleep 1 -1", "task:sleep", "millis", "got -1"),
                ours("task:sleep 1 86400001", "task:sleep", "millis", "got 86400001"),
                ours("task:sleep 1 -9223372036854775808", "task:sleep", "millis", "got -9223372036854775808"),
                ours("task:sleep 0 -1", "task:sleep", "count", "got 0"),
                gogo("task:run", "run"),
                ours("task:run nope", "task:run", "'nope'", "no operation"),
                ours("task:run ''", "task:run", "''", "no operation"),
                ours("task:run ' '", "task:run", "' '", "no operation"),
                ours("task:run null", "task:run", "null", "no operation"),
                ours("task:run nope a b", "task:run", "'nope'"),
                gogo("task:operations extra", "operations"),
                gogo("task:tasks extra", "tasks"),
                gogo("task:tasks 1 2", "tasks"),
                gogo("task:contexts extra", "contexts"));
    }

    static List<Row> resolverCommands() {
        return List.of(
                ours("task:resolve", "resolve: missing argument HOST"),
                ours("task:resolve ''", "resolve", "''"),
                ours("task:resolve localhost 65536", "resolve", "65536"),
                ours("task:resolve localhost -1", "resolve", "-1"),
                ours("task:resolve localhost http-alt-nope", "resolve", "http-alt-nope"),
                ours("task:resolve localhost 80 ipv7", "resolve", "ipv7"),
                ours("task:resolve a 1 ipv4 extra", "resolve: too many arguments", "extra"),
                ours("task:run resolve", "resolve: missing argument HOST"),
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
            for (String fragment : row.fragments()) {
                if (!message.contains(fragment)) {
                    problems.add(row + " (" + row.source() + "): message '" + message + "' lacks '" + fragment + "'");
                }
            }
            if (row.source() == Source.OURS && !(failure instanceof IllegalArgumentException)) {
                problems.add(row + ": expected an IllegalArgumentException from our code, got " + failure);
            }
        }
        if (!inspector.inFlight().isEmpty()) {
            problems.add(row + ": tasks left in flight: " + inspector.inFlight());
            cleanUpAfterUnexpectedSuccess();
        }
        System.out.println("[bad input] " + row + " (" + row.source() + ") -> " + failure.getClass().getSimpleName()
                + ": " + message);
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
