package task.launcher;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Starts an OSGi framework (found through {@link ServiceLoader}) with every
 * bundle jar of the {@code bundle/} folder next to the launcher jar, or of
 * the launcher's own jar (see {@link BundleJars}).
 *
 * <ul>
 * <li>No arguments: interactive. The Gogo shell bundle is started and owns the
 * console ({@code g!} prompt); the launcher exits when the framework stops
 * (Gogo {@code exit}, {@code stop 0}, end of input or Ctrl-C).</li>
 * <li>Arguments: they are joined with spaces and run as ONE Gogo command through
 * the {@code CommandProcessor} service. The Gogo shell bundle is not started,
 * so nothing reads standard input. The result is printed to standard output,
 * errors to standard error; the framework is stopped and the process exits 0 on
 * success, 1 on failure. Every wait is bounded.</li>
 * </ul>
 *
 * System properties: {@code task.launcher.bundles} (bundle folder),
 * {@code task.launcher.timeout} (milliseconds to wait for the command service
 * and the command, default 10000), {@code task.launcher.framework}
 * ({@code felix}, the default, or {@code equinox}: the framework jar must be
 * on the class path; {@code ./task-shell} puts it there when
 * {@code TASK_FRAMEWORK=equinox}).
 *
 * <p>
 * The Gogo types are used reflectively: they live in the framework's class
 * loaders, not on the launcher's class path.
 */
public final class Launcher {

    static final String COMMAND_PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    static final String GOGO_SHELL_BSN = "org.apache.felix.gogo.shell";
    static final String COMMAND_NOT_FOUND = "CommandNotFoundException";

    static final String FRAMEWORK_PROPERTY = "task.launcher.framework";
    private static final Map<String, String> FRAMEWORK_PACKAGES = Map.of(
            "felix", "org.apache.felix.framework.",
            "equinox", "org.eclipse.osgi.");

    /** Once no command service has appeared for this long, a missing command is final. */
    static final long COMMAND_QUIET_MILLIS = 1000;

    private final PrintStream out;
    private final PrintStream err;

    Launcher(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        int code;
        try {
            code = new Launcher(System.out, System.err).run(args);
        } catch (Throwable t) {
            t.printStackTrace();
            code = 1;
        }
        System.out.flush();
        System.err.flush();
        // Framework and Gogo threads may be non-daemon: leave explicitly.
        System.exit(code);
    }

    /** Runs the launcher; returns the process exit code. */
    int run(String[] args) throws Exception {
        boolean interactive = args.length == 0;
        BundleJars jars = BundleJars.find();
        if (jars.isEmpty()) {
            err.println("No bundles in " + jars.where());
            return 1;
        }

        Path storage = Files.createTempDirectory("task-runtime-");
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // Always explicit: Equinox sets --nointeractive itself when gosh.args
        // is unset (and osgi.console too), and no prompt would ever appear.
        config.put("gosh.args", interactive ? "" : "--nointeractive");

        Framework framework = frameworkFactory().newFramework(config);
        Thread hook = new Thread(() -> stopQuietly(framework, storage), "task.launcher shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            framework.start();
            List<Bundle> shell = startBundles(framework.getBundleContext(), jars);
            if (interactive) {
                // The shell last: it owns the console once everything else is up.
                for (Bundle b : shell) {
                    b.start();
                }
                FrameworkEvent event = framework.waitForStop(0);
                return event.getType() == FrameworkEvent.ERROR ? 1 : 0;
            }
            return runCommand(framework.getBundleContext(), String.join(" ", args));
        } finally {
            stopQuietly(framework, storage);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    /**
     * The framework named by {@code task.launcher.framework} ({@code felix}
     * or {@code equinox}, matched against the factory's package), or else the
     * first on the class path.
     */
    static FrameworkFactory frameworkFactory() {
        String wanted = System.getProperty(FRAMEWORK_PROPERTY, "").trim();
        List<String> found = new ArrayList<>();
        for (FrameworkFactory factory : ServiceLoader.load(FrameworkFactory.class, Launcher.class.getClassLoader())) {
            String type = factory.getClass().getName();
            if (wanted.isEmpty() || type.startsWith(FRAMEWORK_PACKAGES.getOrDefault(wanted, wanted))) {
                return factory;
            }
            found.add(type);
        }
        throw new IllegalStateException(wanted.isEmpty() ? "No OSGi FrameworkFactory on the class path"
                : FRAMEWORK_PROPERTY + "=" + wanted + ": no such framework on the class path (found " + found
                        + "; felix or equinox, whose jar is in the launcher's folder)");
    }

    /**
     * Installs all bundles, then starts all that are not fragments, except the Gogo
     * shell. A bundle that does not start is reported on standard error (and the
     * launcher goes on, so that {@code lb} or {@code diag} can tell more).
     *
     * @return the Gogo shell bundle(s), not started
     */
    private List<Bundle> startBundles(BundleContext context, BundleJars jars) throws BundleException, IOException {
        List<Bundle> installed = jars.installAll(context);
        List<Bundle> shell = new ArrayList<>();
        for (Bundle bundle : installed) {
            if (bundle.getHeaders("").get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            if (GOGO_SHELL_BSN.equals(bundle.getSymbolicName())) {
                shell.add(bundle);
                continue;
            }
            try {
                bundle.start();
            } catch (BundleException e) {
                err.println("Cannot start " + bundle.getSymbolicName() + ": " + e.getMessage());
            }
        }
        return shell;
    }

    /** Runs one Gogo command; returns 0 on success, 1 on failure. */
    int runCommand(BundleContext context, String command) throws InterruptedException, InvalidSyntaxException {
        long timeout = Long.getLong("task.launcher.timeout", 10_000L);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);

        CommandServices commands = new CommandServices(context);
        ServiceTracker<Object, Object> processorTracker = new ServiceTracker<>(context, COMMAND_PROCESSOR, null);
        commands.open();
        processorTracker.open();
        try {
            Object processor = processorTracker.waitForService(Math.max(1, remainingMillis(deadline)));
            if (processor == null) {
                err.println("No Gogo CommandProcessor service within " + timeout + " ms");
                return 1;
            }
            InputStream in = new ByteArrayInputStream(new byte[0]);
            Object session;
            try {
                session = invoke(processor, "createSession", 3, in, out, err);
            } catch (InvocationTargetException e) {
                err.println("Cannot create a Gogo session: " + describe(e.getCause()));
                return 1;
            }
            try {
                while (true) {
                    int seen = commands.changes();
                    try {
                        Object result = invoke(session, "execute", 1, command);
                        if (result != null) {
                            Object text = invoke(session, "format", 2, result, 0 /* Converter.INSPECT */);
                            out.println(text);
                        }
                        out.flush();
                        return 0;
                    } catch (InvocationTargetException e) {
                        Throwable cause = e.getCause();
                        boolean notFound = cause != null && cause.getClass().getSimpleName().equals(COMMAND_NOT_FOUND);
                        if (notFound && commands.awaitChange(seen, deadline)) {
                            continue; // a command service appeared: try again
                        }
                        err.println(cause == null ? e.toString() : describe(cause));
                        return 1;
                    }
                }
            } finally {
                try {
                    invoke(session, "close", 0);
                } catch (InvocationTargetException ignored) {
                    // closing is best effort
                }
            }
        } finally {
            processorTracker.close();
            commands.close();
        }
    }

    /**
     * A failure as the user reads it: its message alone, which for the task
     * commands names the command and the value (the class name is noise
     * there); the class name only when there is no message to show.
     */
    private static String describe(Throwable t) {
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

    private static long remainingMillis(long deadlineNanos) {
        return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    private static void stopQuietly(Framework framework, Path storage) {
        try {
            if ((framework.getState() & (Bundle.STARTING | Bundle.ACTIVE | Bundle.STOPPING)) != 0) {
                framework.stop();
                framework.waitForStop(10_000);
            }
        } catch (Exception e) {
            // best effort on the way out
        }
        deleteTree(storage);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException | RuntimeException e) {
            // best effort
        }
    }

    /**
     * Tracks Gogo command services ({@code osgi.command.function}) so that a
     * CommandNotFoundException can wait for DS to register more commands, but only
     * while they are still appearing.
     */
    static final class CommandServices {
        private final ServiceTracker<Object, Object> tracker;
        private final Object lock = new Object();
        // guarded by lock
        private int changes;
        private long lastChangeNanos = System.nanoTime();

        CommandServices(BundleContext context) throws InvalidSyntaxException {
            this.tracker = new ServiceTracker<>(context,
                context.createFilter("(" + "osgi.command.function" + "=*)"), null) {
                @Override
                public Object addingService(ServiceReference<Object> reference) {
                    changed();
                    return reference;
                }

                @Override
                public void removedService(ServiceReference<Object> reference, Object service) {
                    changed();
                }
            };
        }

        void open() {
            tracker.open(true);
        }

        void close() {
            tracker.close();
        }

        int changes() {
            synchronized (lock) {
                return changes;
            }
        }

        private void changed() {
            synchronized (lock) {
                changes++;
                lastChangeNanos = System.nanoTime();
                lock.notifyAll();
            }
        }

        /**
         * Waits until the command services changed since {@code seen}. Gives up at the
         * deadline, or once no command service has appeared for
         * {@link Launcher#COMMAND_QUIET_MILLIS}.
         *
         * @return true if they changed
         */
        boolean awaitChange(int seen, long deadlineNanos) throws InterruptedException {
            synchronized (lock) {
                while (changes == seen) {
                    long quietEnd = lastChangeNanos + TimeUnit.MILLISECONDS.toNanos(COMMAND_QUIET_MILLIS);
                    long until = Math.min(deadlineNanos, quietEnd);
                    long waitNanos = until - System.nanoTime();
                    if (waitNanos <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(lock, waitNanos);
                }
                return true;
            }
        }
    }
}
