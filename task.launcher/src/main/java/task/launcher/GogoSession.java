package task.launcher;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

/**
 * One Gogo {@code CommandSession} of the framework's {@code CommandProcessor}
 * service, for the launcher's one-shot, piped and serve modes (the terminal
 * mode is Gogo's JLine shell). Standard input is never handed to the session:
 * the launcher reads the lines itself.
 *
 * <p>
 * The Gogo types are used reflectively: they live in the framework's class
 * loaders, not on the launcher's class path. Not thread-safe: one thread runs
 * the commands.
 */
final class GogoSession implements AutoCloseable {
    static final String COMMAND_PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String COMMAND_NOT_FOUND = "CommandNotFoundException";
    private static final int INSPECT = 0; // Converter.INSPECT: how the shell prints a result

    private final ServiceTracker<Object, Object> processors;
    private final CommandServices commands;
    private final Object session;
    private final PrintStream out;
    private final PrintStream err;
    private final long timeoutMillis;

    private GogoSession(ServiceTracker<Object, Object> processors, CommandServices commands, Object session,
            PrintStream out, PrintStream err, long timeoutMillis) {
        this.processors = processors;
        this.commands = commands;
        this.session = session;
        this.out = out;
        this.err = err;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Waits (at most {@code timeoutMillis}) for the command processor and opens
     * a session printing to {@code out} and {@code err}.
     *
     * @return the session, or null when there is none (said on {@code err})
     */
    static GogoSession open(BundleContext context, PrintStream out, PrintStream err, long timeoutMillis)
        throws InterruptedException, InvalidSyntaxException {
        ServiceTracker<Object, Object> processors = new ServiceTracker<>(context, COMMAND_PROCESSOR, null);
        processors.open();
        CommandServices commands = new CommandServices(context);
        try {
            Object processor = processors.waitForService(timeoutMillis);
            if (processor == null) {
                err.println("No Gogo CommandProcessor service within " + timeoutMillis + " ms");
            } else {
                Object session = invoke(processor, "createSession", 3, new ByteArrayInputStream(new byte[0]), out,
                        err);
                return new GogoSession(processors, commands, session, out, err, timeoutMillis);
            }
        } catch (InvocationTargetException e) {
            err.println("Cannot create a Gogo session: " + describe(e.getCause()));
        }
        commands.close();
        processors.close();
        return null;
    }

    /**
     * Runs one command line (a Gogo program: {@code ;} chains commands),
     * prints its result on standard output or its failure on standard error.
     * A command not found is retried while DS is still registering commands,
     * within the timeout.
     *
     * @return true if it succeeded
     */
    boolean run(String line) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            int seen = commands.changes();
            try {
                Object result = invoke(session, "execute", 1, line);
                if (result != null) {
                    out.println(invoke(session, "format", 2, result, INSPECT));
                }
                out.flush();
                return true;
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (cause.getClass().getSimpleName().equals(COMMAND_NOT_FOUND) && commands.awaitChange(seen, deadline)) {
                    continue; // a command service appeared: try again
                }
                out.flush();
                err.println(describe(cause));
                err.flush();
                return false;
            }
        }
    }

    @Override
    public void close() {
        try {
            invoke(session, "close", 0);
        } catch (InvocationTargetException ignored) {
            // closing is best effort
        } finally {
            commands.close();
            processors.close();
        }
    }

    /**
     * A failure as the user reads it: its message alone, which for the task
     * commands names the command and the value (the class name is noise
     * there); the class name only when there is no message to show.
     */
    static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.toString() : message;
    }

    /**
     * Calls a public interface method by name and arity (Gogo 1.x has
     * {@code createSession(InputStream, OutputStream, OutputStream)}; the
     * implementation classes need not be public).
     */
    private static Object invoke(Object target, String name, int arity, Object... args)
        throws InvocationTargetException {
        Method m = findMethod(target.getClass(), name, arity);
        try {
            return m.invoke(target, args);
        } catch (IllegalAccessException | IllegalArgumentException e) {
            throw new IllegalStateException("Gogo API mismatch: " + m, e);
        }
    }

    private static Method findMethod(Class<?> type, String name, int arity) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                for (Method m : i.getMethods()) {
                    if (m.getName().equals(name) && m.getParameterCount() == arity) {
                        return m;
                    }
                }
            }
        }
        throw new IllegalStateException("Gogo API mismatch: no " + name + "/" + arity + " on " + type);
    }
}
