package task.itest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;

/** Runs a command through Gogo's own command processor, as a user at the shell would. */
final class GogoShell {
    private GogoShell() {
    }

    /**
     * Runs a command line in a session of its own.
     *
     * @return what it printed, then its value if it has one, without the last line break;
     *         a failing command throws its exception
     */
    static String execute(CommandProcessor shell, String command) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        CommandSession session = shell.createSession(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            Object value = session.execute(command);
            out.flush();
            String text = printed.toString(StandardCharsets.UTF_8) + (value == null ? "" : String.valueOf(value));
            return text.stripTrailing();
        } finally {
            session.close();
        }
    }
}
