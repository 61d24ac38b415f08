package task.itest;

import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import javax.inject.Inject;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

import task.api.Task;
import task.api.TaskService;

/**
 * The runtime's JFR events inside the framework: task.impl's optional import
 * of jdk.jfr is wired (the framework exports it, as the README says to
 * configure), and a recording that enables them gets a worker's run.
 */
public class JfrEventsIT extends TaskContainerTest {
    @Inject
    TaskService tasks;

    @Test
    public void theImplementationIsWiredToJdkJfrAndARecordingGetsItsEvents() throws Exception {
        Bundle impl = installedBundle(TASK_IMPL);
        List<String> wired = impl.adapt(BundleWiring.class).getRequiredWires("osgi.wiring.package").stream()
                .map(BundleWire::getCapability).map(c -> String.valueOf(c.getAttributes().get("osgi.wiring.package")))
                .collect(Collectors.toList());
        assertTrue("jdk.jfr wired: " + wired, wired.contains("jdk.jfr"));

        Path file = Files.createTempFile("task-itest", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("task.WorkerRun");
            recording.start();
            Task<String, String> task = tasks.builder("src", (Task<String, String> t) -> { }).name("jfr-probe")
                    .create();
            task.runInThread(t -> t.setResult("value"));
            task.waitThread();
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> runs = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("task.WorkerRun")).collect(Collectors.toList());
        Files.delete(file);
        assertTrue("runs: " + runs, runs.stream().anyMatch(e -> "jfr-probe".equals(e.getString("taskName"))
                && bundleContext.getBundle().getSymbolicName().equals(e.getString("owner"))));
    }
}
