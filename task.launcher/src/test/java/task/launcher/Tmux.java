package task.launcher;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real pseudo-terminal: a tmux server of its own (its own socket name), one
 * session of a fixed size running one command line, keys sent as a person
 * types them, the screen read back as text. The command runs under
 * {@code sh}, which prints {@code [exit N]} when it ends and keeps the pane
 * open, so the exit status is on the screen.
 */
final class Tmux implements AutoCloseable {
    private static final long WAIT_SECONDS = 60;
    /** Gogo's default right prompt: the time, at the end of the prompt's line. */
    private static final Pattern RIGHT_PROMPT = Pattern.compile("\\s+\\d\\d:\\d\\d:\\d\\d$");

    private final String socket = "task-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    /** @return whether a tmux binary can be run here */
    static boolean available() {
        try {
            return new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Starts {@code command} in a 120x40 terminal whose HOME is {@code home}. */
    void start(List<String> command, Path home) throws IOException, InterruptedException {
        String line = command.stream().map(Tmux::quoted).collect(Collectors.joining(" "));
        String script = line + "; echo \"[exit $?]\"; exec sleep 3600";
        ProcessBuilder start = new ProcessBuilder("tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d",
                "-s", "it", "-x", "120", "-y", "40", "sh", "-c", script);
        start.environment().put("HOME", home.toString());
        run(start);
    }

    /** Types {@code text} literally (no key names). */
    void type(String text) throws IOException, InterruptedException {
        tmux("send-keys", "-t", "it", "-l", text);
    }

    /** Sends tmux key names: {@code Enter}, {@code Up}, {@code Left}, {@code Tab}, {@code C-d}. */
    void keys(String... names) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", "it"));
        args.addAll(List.of(names));
        tmux(args.toArray(String[]::new));
    }

    /** The screen and its scroll-back, as plain text (no colours), trailing blanks taken off each line. */
    String screen() throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-t", "it", "-S", "-1000");
    }

    /** The screen's lines, trailing blanks taken off, empty ones dropped. */
    List<String> lines() throws IOException, InterruptedException {
        return screen().lines().map(String::stripTrailing).filter(l -> !l.isEmpty()).collect(Collectors.toList());
    }

    /**
     * Waits (at most 60 s) until the screen shows what {@code test} looks for.
     * Polls the screen: a terminal tells nobody when it has drawn.
     *
     * @return the screen's lines at that point
     */
    List<String> await(String what, Predicate<List<String>> test) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        List<String> lines = lines();
        while (!test.test(lines)) {
            if (System.nanoTime() > deadline) {
                fail("the terminal never showed " + what + " within " + WAIT_SECONDS + " s; screen:\n"
                        + String.join("\n", lines));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            lines = lines();
        }
        return lines;
    }

    /**
     * Waits until the last line of the screen is a prompt followed by
     * {@code typed} (and the right prompt, Gogo's clock, taken off).
     */
    List<String> awaitPrompt(String typed) throws IOException, InterruptedException {
        String wanted = (LineShell.PROMPT + typed).stripTrailing();
        return await("the prompt '" + wanted + "'", lines -> !lines.isEmpty()
                && RIGHT_PROMPT.matcher(lines.get(lines.size() - 1)).replaceFirst("").stripTrailing().equals(wanted));
    }

    /** Stops the tmux server and what runs in it. */
    @Override
    public void close() throws IOException, InterruptedException {
        run(new ProcessBuilder("tmux", "-L", socket, "kill-server"));
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
        command.addAll(List.of(args));
        return run(new ProcessBuilder(command));
    }

    private static String run(ProcessBuilder builder) throws IOException, InterruptedException {
        Process process = builder.redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("tmux did not return: " + builder.command());
        }
        return output;
    }

    private static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
