package task.shell;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.CommandSessionListener;
import org.osgi.service.component.annotations.Component;

/**
 * Puts the {@code task} scope first in every Gogo session, so that an
 * unscoped {@code resolve localhost} is {@code task:resolve} and not Gogo's
 * own {@code felix:resolve} (which wins under the default {@code SCOPE} of
 * {@code *}, where the first match is arbitrary), and {@code help} is
 * {@code task:help}. Every other scope keeps its order after it. It runs
 * before each command, so that a {@code SCOPE} set meanwhile (a profile, the
 * user) gets {@code task:} in front again.
 * <p>
 * Threading: Gogo calls it on the thread running the command, one command
 * at a time per session.
 */
@Component
public class TaskScopeFirst implements CommandSessionListener {
    static final String VARIABLE = "SCOPE";
    static final String FIRST = CommandUsage.SCOPE + ":";

    @Override
    public void beforeExecute(CommandSession session, CharSequence command) {
        Object scope = session.get(VARIABLE);
        String path = scope == null ? "*" : scope.toString();
        if (!path.startsWith(FIRST) && !path.equals(CommandUsage.SCOPE)) {
            session.put(VARIABLE, FIRST + path);
        }
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence command, Exception exception) {
        // nothing to undo
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence command, Object result) {
        // nothing to undo
    }
}
