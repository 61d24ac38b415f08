package task.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.junit.Test;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.BundleWiring;

import task.api.Task;
import task.api.TaskService;

/**
 * The runtime without any shell: SCR, Config Admin, Metatype and Log only, no
 * Gogo (a headless Equinox, an RCP product, a server without a console). The
 * runtime resolves, starts and runs a task.
 */
public class HeadlessRuntimeIT extends TaskContainerTest {
    private static final long GUARD_SECONDS = 30;

    @Inject
    TaskService tasks;

    @Override
    @Configuration
    public Option[] config() {
        return options(headless());
    }

    @Test
    public void noShellIsInstalled() {
        for (Bundle bundle : bundleContext.getBundles()) {
            String exports = bundle.getHeaders("").get(Constants.EXPORT_PACKAGE);
            assertTrue(bundle.getSymbolicName() + " exports Gogo's API",
                    exports == null || !exports.contains("org.apache.felix.service.command"));
        }
        assertNull("task.shell installed", installedBundle("task.shell"));
    }

    @Test
    public void theRuntimeIsActiveAndWiredToNothingOfGogo() {
        Bundle impl = installedBundle(TASK_IMPL);
        assertEquals(Bundle.ACTIVE, impl.getState());
        List<String> wires = new ArrayList<>();
        impl.adapt(BundleWiring.class).getRequiredWires(null)
                .forEach(wire -> wires.add(wire.getProvider().getBundle().getSymbolicName()));
        assertTrue("task.impl wired to " + wires, wires.stream().noneMatch(name -> name.contains("gogo")));
    }

    @Test
    public void aTaskRunsAndCompletesOnTheDefaultContext() throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Task<String, Integer> task = tasks.<String, Integer>builder("headless", done -> {
            Throwable error = done.propagateError();
            if (error != null) {
                outcome.completeExceptionally(error);
            } else {
                outcome.complete(done.result() + " on " + Thread.currentThread().getName());
            }
        }).create();
        task.runInThread(running -> running.setResult(running.source().length()));
        assertEquals("8 on task-default-context", outcome.get(GUARD_SECONDS, TimeUnit.SECONDS));
    }
}
