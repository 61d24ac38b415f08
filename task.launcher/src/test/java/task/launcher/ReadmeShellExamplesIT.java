package task.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every shell example of README.md, run through the launcher as written, so
 * that the README and the shell cannot drift apart:
 * <ul>
 * <li>a fenced block of {@code g! COMMAND} lines, each followed by the
 * output the README shows, is typed into one interactive session (standard
 * input a pipe); every output line must be printed, as a whole line, those
 * on standard output in the README's order;</li>
 * <li>{@code ./task-shell "COMMANDS"} in the text runs as a one-shot command
 * and must exit 0;</li>
 * <li>"{@code COMMAND} fails with {@code MESSAGE}" must exit 1 with that
 * message on standard error.</li>
 * </ul>
 * A port the kernel picks (port 0, a client's port: 32768 and up, the
 * ephemeral range) matches any such port; every other text must match
 * exactly.
 */
class ReadmeShellExamplesIT {
    private static final Pattern ONE_SHOT = Pattern.compile("`\\./task-shell \"([^\"`]+)\"`");
    private static final Pattern FAILS = Pattern.compile("`([^`]+)` fails (?:at once )?with\\s+`([^`]+)`");
    private static final Pattern EPHEMERAL_PORT = Pattern.compile(":(3[2-9]\\d{3}|[4-5]\\d{4}|6[0-5]\\d{3})\\b");
    private static final String PROMPT = "g! ";

    /** One README block: the commands typed and the lines shown after them. */
    record Session(List<String> commands, List<String> output) {
    }

    @TestFactory
    Stream<DynamicTest> everyShellExampleOfTheReadmeRunsAsWritten() throws Exception {
        String readme = Files.readString(readmePath(), StandardCharsets.UTF_8);
        List<DynamicTest> tests = new ArrayList<>();
        for (Session session : sessions(readme)) {
            tests.add(DynamicTest.dynamicTest(String.join("; ", session.commands()), () -> run(session)));
        }
        Matcher oneShot = ONE_SHOT.matcher(readme);
        while (oneShot.find()) {
            String command = oneShot.group(1);
            tests.add(DynamicTest.dynamicTest("./task-shell \"" + command + "\"", () -> {
                LauncherIT.Result r = LauncherIT.launch(command);
                assertEquals(0, r.exitCode(), () -> command + "\nstdout:\n" + r.out() + "\nstderr:\n" + r.err());
            }));
        }
        Matcher fails = FAILS.matcher(readme);
        while (fails.find()) {
            String command = fails.group(1);
            String message = fails.group(2);
            tests.add(DynamicTest.dynamicTest(command + " fails", () -> {
                LauncherIT.Result r = LauncherIT.launch(command);
                assertNotEquals(0, r.exitCode(), () -> command + "\nstdout:\n" + r.out());
                assertTrue(r.err().lines().anyMatch(message::equals), () -> command + ": no line '" + message
                        + "' in stderr:\n" + r.err());
            }));
        }
        assertFalse(tests.isEmpty(), "no shell examples found in " + readmePath());
        return tests.stream();
    }

    private static void run(Session session) throws Exception {
        LauncherIT.Result r = LauncherIT.launchOn("felix", String.join("\n", session.commands()) + "\n");
        List<String> out = lines(r.out());
        List<String> err = lines(r.err());
        String shown = "stdout:\n" + r.out() + "\nstderr:\n" + r.err();
        int next = 0; // stdout lines are matched in order
        for (String expected : session.output()) {
            String wanted = normalised(expected);
            int at = indexFrom(out, next, wanted);
            if (at >= 0) {
                next = at + 1;
            } else {
                assertTrue(err.contains(wanted), () -> "README line '" + expected + "' not printed (in order); "
                        + shown);
            }
        }
        assertEquals(0, r.exitCode(), shown);
    }

    private static int indexFrom(List<String> lines, int from, String wanted) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).equals(wanted)) {
                return i;
            }
        }
        return -1;
    }

    /** The lines printed, prompts taken off, ephemeral ports made alike. */
    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\\R")) {
            while (line.startsWith(PROMPT)) {
                line = line.substring(PROMPT.length());
            }
            lines.add(normalised(line));
        }
        return lines;
    }

    private static String normalised(String line) {
        return EPHEMERAL_PORT.matcher(line.stripTrailing()).replaceAll(":<ephemeral>");
    }

    /** The fenced blocks without a language whose first line is a prompt. */
    static List<Session> sessions(String readme) {
        List<Session> sessions = new ArrayList<>();
        boolean fenced = false;
        List<String> block = null; // the lines of an open fence without a language
        for (String line : readme.split("\\R")) {
            if (line.startsWith("```")) {
                if (!fenced) {
                    fenced = true;
                    block = line.equals("```") ? new ArrayList<>() : null; // java, xml: compiled elsewhere
                } else {
                    if (block != null && !block.isEmpty() && block.get(0).startsWith(PROMPT)) {
                        sessions.add(session(block));
                    }
                    fenced = false;
                    block = null;
                }
            } else if (block != null) {
                block.add(line);
            }
        }
        return sessions;
    }

    private static Session session(List<String> block) {
        List<String> commands = new ArrayList<>();
        List<String> output = new ArrayList<>();
        for (String line : block) {
            if (line.startsWith(PROMPT)) {
                commands.add(line.substring(PROMPT.length()));
            } else if (!line.isBlank()) {
                output.add(line);
            }
        }
        return new Session(commands, output);
    }

    private static Path readmePath() {
        return Paths.get(System.getProperty("task.readme", "../README.md"));
    }
}
