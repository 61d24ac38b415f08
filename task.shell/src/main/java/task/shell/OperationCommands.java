package task.shell;

import java.time.Duration;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import task.api.TaskService;
import task.api.spi.Operation;
import task.api.spi.Operation.Argument;
import task.api.spi.OperationInfo;
import task.api.spi.OperationService;

/**
 * The shell's view of the operations: {@code task:operations} lists them,
 * {@code task:run NAME ARGS...} runs any of them, and every registered
 * operation also gets a command of its own name ({@code task:resolve
 * localhost}) while it is registered. A command waits for the operation's
 * outcome and prints its result to the session's {@code System.out}, or
 * fails with its error. Immediate, so that the per-operation commands exist
 * before anyone has used the component. Threading: the shell's; the
 * per-operation commands come and go on the framework's thread that
 * registers or unregisters the operation.
 */
@Component(service = Object.class, immediate = true) // found by its scope property, as TaskCommands
@GogoCommand(scope = CommandUsage.SCOPE, function = { "operations", "run" })
public class OperationCommands {
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final CommandUsage OPERATIONS = new CommandUsage("operations",
            "list the registered operations: usage, provider, description", List.of());
    static final CommandUsage RUN = new CommandUsage("run", "run a registered operation and print its result",
            List.of(new Argument("name", "the operation's name, as task:operations lists it", true),
                    new Argument("arguments", "its arguments (see help NAME)", false)));
    /** This class's commands, for help; each operation also has a command of its own name. */
    static final List<CommandUsage> USAGES = List.of(OPERATIONS, RUN);

    /**
     * The runtime's services, empty once deactivated. The per-operation
     * commands capture this holder only, never the services or this
     * component: a registration kept after its unregistration (the Felix Log's
     * history of service events keeps their references, hence the registered
     * objects) must not pin a stopped runtime's class loader.
     */
    private final AtomicReference<OperationRunner> live;
    private final BundleContext bundleContext;
    private final Map<Operation, ServiceRegistration<Function>> ownCommands = new ConcurrentHashMap<>();
    private volatile boolean active = true;

    /**
     * Creates the commands.
     *
     * @param bundleContext registers the per-operation commands
     * @param operations runs the operations
     * @param tasks creates their tasks
     */
    @Activate
    public OperationCommands(BundleContext bundleContext, @Reference OperationService operations,
            @Reference TaskService tasks) {
        this.bundleContext = bundleContext;
        this.live = new AtomicReference<>(new OperationRunner(operations, tasks, TIMEOUT));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addOperation(Operation operation) {
        String name = operation.name();
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(CommandProcessor.COMMAND_SCOPE, "task");
        properties.put(CommandProcessor.COMMAND_FUNCTION, name);
        AtomicReference<OperationRunner> runtime = live;
        Function command = (CommandSession session, List<Object> arguments) -> {
            OperationRunner current = runner(runtime, name);
            OperationInfo info = current.operations().find(name).orElseThrow(
                    () -> new IllegalStateException("task:" + name + ": the operation was withdrawn"));
            System.out.println(run(current, usage(info), arguments.toArray()));
            return null;
        };
        if (active) {
            ownCommands.put(operation, bundleContext.registerService(Function.class, command, properties));
        }
    }

    void removeOperation(Operation operation) {
        ServiceRegistration<Function> registration = ownCommands.remove(operation);
        if (registration != null) {
            unregisterQuietly(registration);
        }
    }

    @Deactivate
    void deactivate() {
        active = false;
        for (Operation operation : List.copyOf(ownCommands.keySet())) {
            removeOperation(operation);
        }
        live.set(null);
    }

    private static OperationRunner runner(AtomicReference<OperationRunner> runtime, String command) {
        OperationRunner current = runtime.get();
        if (current == null) {
            throw new IllegalStateException("task:" + command + ": the task runtime has stopped");
        }
        return current;
    }

    /** @return the usage of an operation's own command, from its description and arguments */
    static CommandUsage usage(OperationInfo info) {
        return new CommandUsage(info.name(), info.description(), info.arguments());
    }

    /**
     * Runs an operation as its command: checks the arguments against its
     * usage, and adds the usage line to the operation's own argument errors.
     */
    private static Object run(OperationRunner runner, CommandUsage usage, Object... arguments) throws Exception {
        List<String> texts = usage.texts(arguments);
        try {
            return runner.run(usage.name(), texts);
        } catch (IllegalArgumentException badValue) {
            // The operation named the argument and the value; the usage says what it takes.
            throw new UsageError(badValue.getMessage() + System.lineSeparator() + "usage: " + usage.line(), badValue);
        } catch (Exception failed) {
            throw new CommandFailure(failed);
        }
    }

    /**
     * Lists the registered operations: prints one line per operation,
     * usage, provider, description.
     *
     * @param arguments none
     * @throws IllegalArgumentException if any is given
     */
    @Descriptor("list the registered operations")
    public void operations(String... arguments) {
        OPERATIONS.texts(arguments);
        List<OperationInfo> all = runner(live, "operations").operations().operations();
        if (all.isEmpty()) {
            System.out.println("no operations registered");
            return;
        }
        StringBuilder out = new StringBuilder();
        for (OperationInfo info : all) {
            out.append(String.format(java.util.Locale.ROOT, "%-32s %-28s %s%n", info.usage(), info.provider(),
                    info.description()));
        }
        System.out.println(out.toString().stripTrailing());
    }

    /**
     * Runs any registered operation and prints its result as text.
     *
     * @param arguments the operation's name, then its arguments
     * @throws IllegalArgumentException if the name is missing or no such operation is registered, or for
     *         the operation's own argument errors (each with the usage line)
     * @throws Exception the operation's error
     */
    @Descriptor("run a registered operation and print its result")
    public void run(@Descriptor("NAME ARGUMENTS...: the operation and its arguments") String... arguments)
            throws Exception {
        OperationRunner current = runner(live, "run");
        if (arguments.length == 0) {
            throw RUN.wrong("missing NAME (the operation's name, as task:operations lists it)");
        }
        String name = RUN.texts(arguments[0]).get(0);
        OperationInfo info = current.operations().find(name).orElseThrow(() -> RUN.wrong("no operation '" + name
                + "' is registered (see task:operations)"));
        System.out.println(run(current, usage(info), Arrays.copyOfRange(arguments, 1, arguments.length)));
    }

    private static void unregisterQuietly(ServiceRegistration<?> registration) {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // unregistered with this bundle already
        }
    }
}
