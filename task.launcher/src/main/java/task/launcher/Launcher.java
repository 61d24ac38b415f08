package task.launcher;

import java.io.Console;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Starts an OSGi framework (found through {@link ServiceLoader}) with every
 * bundle jar of the {@code bundle/} folder next to the launcher jar, or of
 * the launcher's own jar (see {@link BundleJars}), then one of four modes:
 *
 * <ul>
 * <li>No arguments, standard input and output a terminal: Gogo's JLine shell
 * ({@code g!} prompt with line editing, history in {@code ~/.gogo.history}
 * and completion of command names). The launcher exits when the framework
 * stops: {@code exit [STATUS]}, Ctrl-D, {@code stop 0}.</li>
 * <li>No arguments, no terminal (a pipe, a file): {@link LineShell} prompts
 * and runs the lines of standard input until its end or {@code exit}; exit
 * status {@code exit}'s or 0.</li>
 * <li>{@code COMMAND...}: the arguments, joined with spaces, run as ONE Gogo
 * command line ({@code ;} chains commands); its output on standard output,
 * a failure's message on standard error; exit status 0 on success (or what
 * {@code exit STATUS} says), 1 on failure. Standard input is not read.</li>
 * <li>{@code --serve [COMMAND...]}: runs the command as above (exit 1 if it
 * fails), then keeps the framework and whatever the command started (a
 * listener) up, without reading standard input, until Ctrl-C or SIGTERM;
 * then stops every bundle and exits 0.</li>
 * </ul>
 *
 * Every wait for the command service and for DS to register the commands is
 * bounded. System properties: {@code task.launcher.bundles} (bundle folder),
 * {@code task.launcher.timeout} (milliseconds to wait for the command service
 * and a command, default 10000), {@code task.launcher.framework}
 * ({@code felix}, the default, or {@code equinox}: the framework jar must be
 * on the class path; {@code ./task-shell} puts it there when
 * {@code TASK_FRAMEWORK=equinox}).
 *
 * <p>{@code --webconsole PORT}, before any of the above, also installs the
 * bundles of the {@code webconsole/} folder beside {@code bundle/} (Felix
 * HTTP on Jetty, the Felix Web Console and {@code task.webconsole}) and binds
 * HTTP to 127.0.0.1:PORT only; without it no HTTP bundle is installed.
 */
public final class Launcher {

    static final String JLINE_SHELL_BSN = "org.apache.felix.gogo.jline";
    static final String SERVE = "--serve";
    static final String WEBCONSOLE = "--webconsole";
    static final String USAGE = String.join(System.lineSeparator(),
            "usage: task-shell                     the shell (line editing on a terminal; reads lines from a pipe)",
            "       task-shell COMMAND...          runs one command line, prints its output, exits 0 or 1",
            "       task-shell --serve [COMMAND...] runs the command, then serves until Ctrl-C or SIGTERM",
            "       task-shell --webconsole PORT [...] any of the above, with the Felix Web Console on",
            "                                      http://127.0.0.1:PORT/system/console/tasks (login admin/admin)",
            "       task-shell --help              this text");

    static final String FRAMEWORK_PROPERTY = "task.launcher.framework";
    private static final Map<String, String> FRAMEWORK_PACKAGES = Map.of(
            "felix", "org.apache.felix.framework.",
            "equinox", "org.eclipse.osgi.");

    private enum Mode { TERMINAL, LINES, ONE_SHOT, SERVE }

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
        int webConsolePort = -1;
        if (args.length > 0 && args[0].equals(WEBCONSOLE)) {
            webConsolePort = args.length > 1 ? port(args[1]) : -1;
            if (webConsolePort < 0) {
                err.println("task-shell: " + WEBCONSOLE + " needs a port from 1 to 65535, got '"
                        + (args.length > 1 ? args[1] : "") + "'");
                err.println(USAGE);
                return 2;
            }
            args = List.of(args).subList(2, args.length).toArray(String[]::new);
        }
        Mode mode;
        String command = String.join(" ", args);
        if (args.length == 0) {
            mode = onTerminal() ? Mode.TERMINAL : Mode.LINES;
        } else if (args[0].equals(SERVE)) {
            mode = Mode.SERVE;
            command = String.join(" ", List.of(args).subList(1, args.length));
        } else if (args[0].equals("--help") || args[0].equals("-h")) {
            out.println(USAGE);
            return 0;
        } else if (args[0].startsWith("--")) {
            err.println("task-shell: unknown option " + args[0]);
            err.println(USAGE);
            return 2;
        } else {
            mode = Mode.ONE_SHOT;
        }
        BundleJars jars = BundleJars.find();
        if (jars.isEmpty()) {
            err.println("No bundles in " + jars.where());
            return 1;
        }
        if (webConsolePort > 0) {
            jars = jars.with(BundleJars.webConsole());
            if (jars == null) {
                err.println("task-shell: " + WEBCONSOLE + ": no Web Console bundles in " + BundleJars.webConsoleFolder()
                        + " (target/runtime/webconsole, built by mvn package; the one-file jar has none)");
                return 1;
            }
        }

        Path storage = Files.createTempDirectory("task-runtime-");
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // The runtime's JFR events need jdk.jfr, which no framework exports by
        // default, and their instrumented classes call jdk.jfr.internal from
        // task.impl's class loader (README, "JFR events").
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "jdk.jfr");
        config.put(Constants.FRAMEWORK_BOOTDELEGATION, "jdk.jfr.internal.*");
        // Always explicit: Equinox sets --nointeractive itself when gosh.args
        // is unset (and osgi.console too), and no prompt would ever appear.
        config.put("gosh.args", mode == Mode.TERMINAL ? "" : "--nointeractive");
        if (webConsolePort > 0) {
            // Felix HTTP (Jetty) on the loopback interface only; the Web Console's default login is admin/admin.
            config.put("org.osgi.service.http.port", Integer.toString(webConsolePort));
            config.put("org.apache.felix.http.host", "127.0.0.1");
            config.put("org.apache.felix.http.enable", "true");
        }

        Framework framework = frameworkFactory().newFramework(config);
        Thread hook = new Thread(() -> stopQuietly(framework, storage), "task.launcher shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            framework.start();
            boolean stopsFramework = mode == Mode.TERMINAL || mode == Mode.SERVE;
            ExitCommand exit = new ExitCommand(stopsFramework ? () -> stopLater(framework) : () -> { });
            exit.register(framework.getBundleContext());
            List<Bundle> shell = startBundles(framework.getBundleContext(), jars);
            if (mode == Mode.TERMINAL) {
                // The shell last: it owns the terminal once everything else is up.
                for (Bundle b : shell) {
                    b.start();
                }
                return afterStop(framework, exit);
            }
            long timeout = Long.getLong("task.launcher.timeout", 10_000L);
            try (GogoSession session = GogoSession.open(framework.getBundleContext(), out, err, timeout)) {
                if (session == null) {
                    return 1;
                }
                switch (mode) {
                case LINES:
                    return new LineShell(session, exit, out).run(new InputStreamReader(System.in,
                            Charset.defaultCharset()));
                case ONE_SHOT:
                    return session.run(command) ? exit.status().orElse(0) : 1;
                default: // SERVE
                    StopSignals.install(() -> stopLater(framework), err);
                    if (!command.isBlank() && !session.run(command)) {
                        return 1;
                    }
                    if (exit.status().isEmpty()) {
                        err.println("task-shell: serving until Ctrl-C or SIGTERM (process " + ProcessHandle.current().pid()
                                + ")");
                    }
                    return afterStop(framework, exit);
                }
            }
        } finally {
            stopQuietly(framework, storage);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    /** The port of {@code --webconsole PORT}, or -1 when the text is not one from 1 to 65535. */
    static int port(String text) {
        try {
            int port = Integer.parseInt(text.trim());
            return port >= 1 && port <= 65535 ? port : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * True when standard input and output are both a terminal: JDK 17's
     * {@code System.console()} is null otherwise; from JDK 22 it may be a
     * console all the same, and {@code Console.isTerminal()} tells.
     */
    static boolean onTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException beforeJdk22) {
            return true;
        } catch (ReflectiveOperationException | ClassCastException e) {
            return false;
        }
    }

    /** Waits for the framework to stop; the exit status is {@code exit}'s, else 0 (1 if it stopped on an error). */
    private static int afterStop(Framework framework, ExitCommand exit) throws InterruptedException {
        FrameworkEvent event = framework.waitForStop(0);
        return exit.status().orElse(event.getType() == FrameworkEvent.ERROR ? 1 : 0);
    }

    /**
     * Stops the framework from a thread of its own: {@code exit} runs on the
     * shell's thread and a signal's handler on the JVM's signal thread, and
     * stopping the framework stops (and waits for) the shell.
     */
    private void stopLater(Framework framework) {
        Thread stopper = new Thread(() -> {
            try {
                framework.stop();
            } catch (BundleException | RuntimeException e) {
                err.println("task-shell: cannot stop the framework: " + GogoSession.describe(e));
            }
        }, "task.launcher stop");
        stopper.setDaemon(true);
        stopper.start();
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
     * JLine shell. A bundle that does not start is reported on standard error (and the
     * launcher goes on, so that {@code lb} or {@code diag} can tell more).
     *
     * @return the Gogo JLine shell bundle(s), not started
     */
    private List<Bundle> startBundles(BundleContext context, BundleJars jars) throws BundleException, IOException {
        List<Bundle> installed = jars.installAll(context);
        List<Bundle> shell = new ArrayList<>();
        for (Bundle bundle : installed) {
            if (bundle.getHeaders("").get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            if (JLINE_SHELL_BSN.equals(bundle.getSymbolicName())) {
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
}
