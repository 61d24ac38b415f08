package task.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The runtime's JFR events from the launcher, as an operator records them:
 * {@code -XX:StartFlightRecording} with settings that turn them on, a
 * command, and the recording read back; on Felix and on Equinox, whose
 * configuration the launcher sets (jdk.jfr exported, jdk.jfr.internal
 * delegated to the JDK).
 */
class LauncherJfrIT {
    private static final String SETTINGS = """
            <?xml version="1.0" encoding="UTF-8"?>
            <configuration version="2.0" label="task runtime">
              <event name="task.WorkerRun"><setting name="enabled">true</setting></event>
              <event name="task.Completion"><setting name="enabled">true</setting></event>
            </configuration>
            """;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = { "felix", "equinox" })
    void aRecordingWithTheEventsOnGetsTheOperationsWorkerAndCompletion(String framework) throws Exception {
        Path settings = Files.writeString(dir.resolve("task.jfc"), SETTINGS);
        Path recording = dir.resolve("launcher.jfr");
        List<String> command = LauncherIT.javaCommand(framework);
        command.add(1, "-XX:StartFlightRecording:filename=" + recording + ",settings=" + settings);
        command.addAll(List.of("resolve", "localhost"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the launcher exits");
        String out = Files.readString(dir.resolve("out.txt"));
        assertEquals(0, process.exitValue(), out);
        List<String> events = RecordingFile.readAllEvents(recording).stream()
                .filter(e -> e.getEventType().getName().startsWith("task."))
                .map(LauncherJfrIT::describe).collect(Collectors.toList());
        assertTrue(events.contains("task.WorkerRun resolve returned"), events + "\n" + out);
        assertTrue(events.contains("task.Completion resolve succeeded"), events + "\n" + out);
        assertTrue(!out.contains("JFR events are off"), out);
    }

    private static String describe(RecordedEvent e) {
        return e.getEventType().getName() + " " + e.getString("operation") + " " + e.getString("outcome");
    }
}
