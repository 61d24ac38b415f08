package task.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCancelledException;
import task.api.TaskInspector;
import task.api.TaskService;
import task.api.spi.OperationInfo;
import task.api.spi.OperationRequest;
import task.api.spi.OperationService;
import task.itest.example.BlockOperation;
import task.itest.example.ExampleActivator;
import task.itest.example.ReverseOperation;

/**
 * Operations come and go with their plugin bundles, at run time, in a real
 * Felix: a third party's bundle adds one without touching our code, the
 * shell runs it, and stopping the bundle ends what it had in flight.
 */
public class OperationPluginsIT extends TaskContainerTest {
    private static final long TIMEOUT_SECONDS = 30;

    @Inject
    OperationService operations;

    @Inject
    TaskService tasks;

    @Inject
    TaskInspector inspector;

    @Inject
    CommandProcessor shell;

    @Inject
    @Filter("(" + EventContext.NAME_PROPERTY + "=" + EventContext.DEFAULT_NAME + ")")
    EventContext defaultContext;

    @Test
    public void aThirdPartyOperationAppearsRunsFromTheShellAndVanishes() throws Exception {
        assertFalse(names().contains("reverse"));
        Bundle plugin = installExamplePlugin();

        assertTrue("installed plugin's operation is listed", names().contains("reverse"));
        assertEquals("olleh", execute("task:reverse hello"));
        assertEquals("olleh", execute("task:run reverse hello"));
        assertTrue(execute("task:operations").contains("example.plugin"));

        plugin.uninstall();

        assertFalse("uninstalled plugin's operation is gone", names().contains("reverse"));
        Exception gone = assertThrows(Exception.class, () -> execute("task:run reverse hello"));
        assertTrue(gone.getMessage(), gone.getMessage().contains("no operation 'reverse'"));
    }

    @Test
    public void anOperationInFlightWhenItsPluginStopsEndsWithAClearError() throws Exception {
        Bundle plugin = installExamplePlugin();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Task<OperationRequest, Object> task = operations.start(tasks, "block", List.of(), null, done -> {
            if (!defaultContext.inContext()) {
                outcome.completeExceptionally(new AssertionError("callback off its context"));
            }
            outcome.complete(done.propagateError());
        });
        assertEquals(1, inspector.inFlight().stream().filter(info -> info.id() == task.id()).count());

        plugin.stop();

        Throwable error = outcome.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertTrue("a cancellation, got " + error, error instanceof TaskCancelledException);
        assertTrue(error.getMessage(), error.getMessage().contains("operation 'block' was withdrawn"));
        // The withdrawal waited for the task to finish: nothing of the plugin runs any more.
        assertTrue(inspector.inFlight().isEmpty());
        plugin.uninstall();
    }

    @Test
    public void badInputFromTheShellNamesTheOperationAndTheValue() {
        Exception unknown = assertThrows(Exception.class, () -> execute("task:run nosuchop 1"));
        assertTrue(unknown.getMessage(), unknown.getMessage().contains("nosuchop"));
    }

    private Bundle installExamplePlugin() throws Exception {
        return ClientBundles.installAndStart(bundleContext, "example.plugin", ExampleActivator.class,
                ExampleActivator.class, ReverseOperation.class, BlockOperation.class);
    }

    private List<String> names() {
        return operations.operations().stream().map(OperationInfo::name).toList();
    }

    private String execute(String command) throws Exception {
        return GogoShell.execute(shell, command);
    }
}
