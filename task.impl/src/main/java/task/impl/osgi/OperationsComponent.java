package task.impl.osgi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskService;
import task.api.spi.Operation;
import task.api.spi.OperationInfo;
import task.api.spi.OperationRequest;
import task.api.spi.OperationService;
import task.impl.ops.OperationRegistry;

/**
 * The operation service: tracks the operations plugins register (the
 * whiteboard) as they come and go. Unbinding an operation, which happens
 * while its plugin stops, cancels its tasks in flight and waits for them.
 */
@Component(service = OperationService.class)
public class OperationsComponent implements OperationService {
    private static final Duration WITHDRAW_GRACE = Duration.ofSeconds(10);
    private final OperationRegistry registry;

    /**
     * Creates the service.
     *
     * @param root the default context, holding the runtime's reporter
     */
    @Activate
    public OperationsComponent(@Reference(target = DefaultContextComponent.TARGET) EventContext root) {
        this.registry = new OperationRegistry(((DefaultContextComponent) root).reporter(), WITHDRAW_GRACE);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addOperation(Operation operation, ServiceReference<Operation> reference) {
        registry.add(operation, reference.getBundle().getSymbolicName());
    }

    void removeOperation(Operation operation) {
        registry.remove(operation);
    }

    @Override
    public List<OperationInfo> operations() {
        return registry.operations();
    }

    @Override
    public Optional<OperationInfo> find(String name) {
        return registry.find(name);
    }

    @Override
    public Task<OperationRequest, Object> start(TaskService tasks, String name, List<String> arguments,
            EventContext context, TaskCallback<OperationRequest, Object> callback) {
        return registry.start(tasks, name, arguments, context, callback);
    }
}
