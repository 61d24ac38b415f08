package task.launcher;

import java.util.Hashtable;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The shell's {@code exit [STATUS]} ({@code gogo:exit}): leaves the launcher
 * with that status (0 when none is given), in every mode. Neither Gogo's
 * runtime nor its JLine shell has one that works: the launcher, which owns
 * the exit status, registers this one.
 *
 * <p>
 * Threading: {@link #exit} runs on the shell's thread; the launcher's thread
 * reads {@link #status()} after the command returned (piped, one-shot) or
 * after the framework stopped (terminal). The status is an atomic, first
 * {@code exit} wins, and it is set before {@code onExit} runs, so whoever
 * {@code onExit} wakes sees it.
 */
public final class ExitCommand {
    private static final int NONE = -1;

    private final AtomicInteger status = new AtomicInteger(NONE);
    private final Runnable onExit;

    /** @param onExit what leaving means in this mode, run once per {@code exit} (after the status is set) */
    ExitCommand(Runnable onExit) {
        this.onExit = onExit;
    }

    /** Registers this as {@code gogo:exit}, a plain object as Gogo's command services are. */
    ServiceRegistration<?> register(BundleContext context) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("osgi.command.scope", "gogo");
        properties.put("osgi.command.function", new String[] { "exit" });
        return context.registerService(Object.class.getName(), this, properties);
    }

    /**
     * {@code exit [STATUS]}: leaves the shell and the launcher with STATUS.
     *
     * @param arguments none, or the exit status, 0..255
     * @throws IllegalArgumentException naming the command and the value, for more than one argument or a status
     *         that is not a number in 0..255 (the shell stays)
     */
    public void exit(String... arguments) {
        if (arguments.length > 1) {
            throw new IllegalArgumentException("exit: too many arguments " + String.join(" ", arguments)
                    + "; usage: exit [STATUS]");
        }
        int code = arguments.length == 0 ? 0 : parse(arguments[0]);
        status.compareAndSet(NONE, code);
        onExit.run();
    }

    private static int parse(String text) {
        try {
            int code = Integer.parseInt(text.trim());
            if (code >= 0 && code <= 255) {
                return code;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw new IllegalArgumentException("exit: STATUS must be a number 0..255, got '" + text
                + "'; usage: exit [STATUS]");
    }

    /** @return the status asked for, or empty while no {@code exit} ran */
    OptionalInt status() {
        int code = status.get();
        return code == NONE ? OptionalInt.empty() : OptionalInt.of(code);
    }
}
