package task.impl.shell;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
 * outcome and prints its result, or fails with its error. Immediate, so that
 * the per-operation commands exist before anyone has used the component.
 */
@Component(service = OperationCommands.class, immediate = true)
@GogoCommand(scope = "task", function = { "operations", "run" })
public class OperationCommands {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final OperationService operations;
    private final OperationRunner runner;
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
        this.runner = new OperationRunner(operations, tasks, TIMEOUT);
        this.operations = operations;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addOperation(Operation operation) {
        String name = operation.name();
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(CommandProcessor.COMMAND_SCOPE, "task");
        properties.put(CommandProcessor.COMMAND_FUNCTION, name);
        Function command = (CommandSession session, List<Object> arguments) -> runner.run(name, text(arguments));
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
    }

    /**
     * Lists the registered operations.
     *
     * @return one line per operation: usage, provider, description
     */
    @Descriptor("list the registered operations")
    public String operations() {
        List<OperationInfo> all = operations.operations();
        if (all.isEmpty()) {
            return "no operations registered";
        }
        StringBuilder out = new StringBuilder();
        for (OperationInfo info : all) {
            out.append(String.format(java.util.Locale.ROOT, "%-32s %-28s %s%n", info.usage(), info.provider(),
                    info.description()));
        }
        return out.toString().stripTrailing();
    }

    /**
     * Runs any registered operation.
     *
     * @param name the operation's name
     * @param arguments its arguments
     * @return the operation's result as text
     * @throws Exception the operation's error
     */
    @Descriptor("run a registered operation and print its result")
    public String run(@Descriptor("the operation's name") String name,
            @Descriptor("its arguments") String... arguments) throws Exception {
        if (name == null || name.isBlank() || operations.find(name).isEmpty()) {
            throw new IllegalArgumentException("task:run: no operation " + (name == null ? "null" : "'" + name + "'")
                    + " is registered (see task:operations)");
        }
        return runner.run(name, Arrays.asList(arguments));
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
