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

    /** @return the command's result as text; a failing command throws its exception */
    static String execute(CommandProcessor shell, String command) throws Exception {
        PrintStream discard = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        CommandSession session = shell.createSession(new ByteArrayInputStream(new byte[0]), discard, discard);
        try {
            return String.valueOf(session.execute(command));
        } finally {
            session.close();
        }
    }
}
