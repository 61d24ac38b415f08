package task.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;

/**
 * The shell when standard input or output is not a terminal (a pipe, a file,
 * a test): a {@code g! } prompt, then one command line read and run, until
 * the end of the input or {@code exit}. Gogo's JLine shell is not used there:
 * without a terminal it has no width to lay out a line in, and a plain
 * reader is all a pipe needs. The commands and what they print are the same
 * as at the terminal's prompt and in one-shot mode: {@link GogoSession}.
 */
final class LineShell {
    static final String PROMPT = "g! ";

    private final GogoSession session;
    private final ExitCommand exit;
    private final PrintStream out;

    LineShell(GogoSession session, ExitCommand exit, PrintStream out) {
        this.session = session;
        this.exit = exit;
        this.out = out;
    }

    /**
     * Runs the lines of {@code input}.
     *
     * @return the exit status: {@code exit}'s, or 0 at the end of the input (a failed command is reported
     *         and the shell goes on, as at the prompt)
     */
    int run(Reader input) throws IOException, InterruptedException {
        BufferedReader lines = new BufferedReader(input);
        while (true) {
            out.print(PROMPT);
            out.flush();
            String line = lines.readLine();
            if (line == null) {
                out.println();
                return 0;
            }
            if (!line.isBlank()) {
                session.run(line);
            }
            if (exit.status().isPresent()) {
                return exit.status().getAsInt();
            }
        }
    }
}
