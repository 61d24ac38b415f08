package task.shell;

import java.time.Duration;
import java.util.ArrayList;
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
@GogoCommand(scope = "task", function = { "operations", "run" })
public class OperationCommands {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

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
            System.out.println(runner(runtime, name).run(name, text(arguments)));
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

    /**
     * Lists the registered operations.
     *
     * Prints one line per operation: usage, provider, description.
     */
    @Descriptor("list the registered operations")
    public void operations() {
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
     * Runs any registered operation.
     *
     * @param name the operation's name
     * @param arguments its arguments
     * Prints the operation's result as text.
     *
     * @throws Exception the operation's error
     */
    @Descriptor("run a registered operation and print its result")
    public void run(@Descriptor("the operation's name") String name,
            @Descriptor("its arguments") String... arguments) throws Exception {
        OperationRunner current = runner(live, "run");
        if (name == null || name.isBlank() || current.operations().find(name).isEmpty()) {
            throw new IllegalArgumentException("task:run: no operation " + (name == null ? "null" : "'" + name + "'")
                    + " is registered (see task:operations)");
        }
        System.out.println(current.run(name, Arrays.asList(arguments)));
    }

    private static List<String> text(List<Object> arguments) {
        List<String> text = new ArrayList<>(arguments.size());
        for (Object argument : arguments) {
            text.add(String.valueOf(argument));
        }
        return text;
    }

    private static void unregisterQuietly(ServiceRegistration<?> registration) {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // unregistered with this bundle already
        }
    }
}
