package task.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shell a person types into: the launcher in a real pseudo-terminal
 * (tmux), on Felix and on Equinox, driven with keys, its screen read back.
 * Needs tmux ({@code .ci/run} installs it; the test is skipped without it,
 * and {@code .ci/run} fails if it was).
 */
class InteractiveShellIT {
    private final Tmux tmux = new Tmux();
    private Path home;

    @BeforeEach
    void tmuxIsHere() throws Exception {
        Assumptions.assumeTrue(Tmux.available(), "tmux is not installed (apt-get install tmux)");
        home = Files.createTempDirectory("task-shell-home-");
    }

    @AfterEach
    void stop() throws Exception {
        tmux.close();
    }

    private void start(String framework) throws Exception {
        List<String> command = LauncherIT.javaCommand(framework);
        command.add(1, "-Duser.home=" + home); // the shell's history file: ~/.gogo.history
        tmux.start(command, home);
        tmux.awaitPrompt("");
    }

    @ParameterizedTest
    @ValueSource(strings = { "felix", "equinox" })
    void editsALineRecallsHistoryAndCompletesCommandNames(String framework) throws Exception {
        start(framework);

        // Cursor editing: the 9 goes before the 8.
        tmux.type("task:resolve 127.0.0.1 8");
        tmux.keys("Left");
        tmux.type("9");
        tmux.keys("Enter");
        tmux.await("127.0.0.1:98", lines -> lines.contains("127.0.0.1:98"));
        tmux.awaitPrompt("");

        // History: Up brings the line back, and it runs again.
        tmux.keys("Up");
        tmux.awaitPrompt("task:resolve 127.0.0.1 98");
        tmux.keys("Enter");
        tmux.await("127.0.0.1:98 twice", lines -> lines.stream().filter("127.0.0.1:98"::equals).count() == 2);
        tmux.awaitPrompt("");

        // Completion of a command name.
        tmux.type("task:reso");
        tmux.keys("Tab");
        tmux.awaitPrompt("task:resolve");
        tmux.type(" 127.0.0.1 77");
        tmux.keys("Enter");
        tmux.await("127.0.0.1:77", lines -> lines.contains("127.0.0.1:77"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "felix", "equinox" })
    void errorsAreMessagesAndExitLeavesWithItsStatus(String framework) throws Exception {
        start(framework);

        tmux.type("resolve localhost 65536");
        tmux.keys("Enter");
        tmux.await("the port error", lines -> lines.contains("resolve: port 65536 out of range 0..65535"));
        tmux.awaitPrompt("");

        tmux.type("exit 3");
        tmux.keys("Enter");
        List<String> screen = tmux.await("[exit 3]", lines -> lines.contains("[exit 3]"));
        assertTrue(screen.stream().noneMatch(line -> line.contains("Exception") || line.contains("gogo:")),
                () -> "an error was printed:\n" + String.join("\n", screen));
    }

    @ParameterizedTest
    @ValueSource(strings = { "felix", "equinox" })
    void ctrlDLeavesWithStatusZero(String framework) throws Exception {
        start(framework);
        tmux.keys("C-d");
        List<String> screen = tmux.await("[exit ...]", lines -> lines.stream().anyMatch(l -> l.startsWith("[exit ")));
        assertEquals(1, screen.stream().filter("[exit 0]"::equals).count(), () -> String.join("\n", screen));
    }
}
