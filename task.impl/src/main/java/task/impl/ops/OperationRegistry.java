package task.impl.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskService;
import task.api.spi.Operation;
import task.api.spi.OperationInfo;
import task.api.spi.OperationRequest;
import task.api.spi.OperationService;
import task.impl.log.Reporter;

/**
 * The operations registered now, and the tasks each is running.
 * <p>
 * When two plugins offer the same name, the first registered wins and the
 * other waits behind it. When an operation is withdrawn, its tasks in
 * flight are cancelled with a reason naming it, and {@link #remove} waits
 * (up to a grace period) for each to finish, so that no thread keeps
 * running the plugin's code. A task started concurrently with the
 * withdrawal is either seen by it or sees the withdrawal itself and is
 * disposed: none escapes.
 * Threading: any thread.
 */
public final class OperationRegistry implements OperationService {
    private final Reporter reporter;
    private final Duration withdrawGrace;
    private final List<Registration> registrations = new CopyOnWriteArrayList<>();

    /**
     * Creates an empty registry.
     *
     * @param reporter where failures nobody can take go
     * @param withdrawGrace how long {@link #remove} waits for the tasks of a withdrawn operation
     */
    public OperationRegistry(Reporter reporter, Duration withdrawGrace) {
        this.reporter = Objects.requireNonNull(reporter, "reporter");
        this.withdrawGrace = Objects.requireNonNull(withdrawGrace, "withdrawGrace");
    }

    /**
     * Registers an operation.
     *
     * @param operation the operation
     * @param provider who offers it, for the listing
     * @throws IllegalArgumentException if its name is blank
     */
    public void add(Operation operation, String provider) {
        String name = operation.name();
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("operation from '" + provider + "': name must not be blank, got "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        registrations.add(new Registration(operation, name, provider));
        if (lookup(name).operation != operation) {
            reporter.warn("operation '" + name + "' from '" + provider + "' is shadowed by an earlier one", null);
        }
    }

    /**
     * Withdraws an operation: cancels its tasks in flight and waits for them.
     *
     * @param operation the operation, as given to {@link #add}
     */
    public void remove(Operation operation) {
        for (Registration registration : registrations) {
            if (registration.operation == operation) {
                registrations.remove(registration);
                registration.withdraw();
            }
        }
    }

    @Override
    public List<OperationInfo> operations() {
        Map<String, OperationInfo> byName = new LinkedHashMap<>();
        for (Registration registration : registrations) {
            byName.putIfAbsent(registration.name, registration.info());
        }
        List<OperationInfo> sorted = new ArrayList<>(byName.values());
        sorted.sort(Comparator.comparing(OperationInfo::name));
        return List.copyOf(sorted);
    }

    @Override
    public Optional<OperationInfo> find(String name) {
        Objects.requireNonNull(name, "name");
        Registration registration = lookup(name);
        return registration == null ? Optional.empty() : Optional.of(registration.info());
    }

    @Override
    public Task<OperationRequest, Object> start(TaskService tasks, String name, List<String> arguments,
            EventContext context, TaskCallback<OperationRequest, Object> callback) {
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
        Objects.requireNonNull(callback, "callback");
        Registration registration = lookup(name);
        if (registration == null) {
            throw new IllegalArgumentException("no operation '" + name + "' is registered (registered: "
                    + String.join(", ", operations().stream().map(OperationInfo::name).toList()) + ")");
        }
        return registration.start(tasks, arguments, context != null ? context : tasks.defaultContext(), callback);
    }

    private Registration lookup(String name) {
        for (Registration registration : registrations) {
            if (registration.name.equals(name)) {
                return registration;
            }
        }
        return null;
    }

    /** One registered operation and its tasks in flight. */
    private final class Registration {
        final Operation operation;
        final String name;
        final String provider;
        final Set<Running> inFlight = ConcurrentHashMap.newKeySet();
        volatile boolean withdrawn;

        Registration(Operation operation, String name, String provider) {
            this.operation = operation;
            this.name = name;
            this.provider = provider;
        }

        OperationInfo info() {
            return new OperationInfo(name, operation.description(), operation.arguments(), provider);
        }

        Task<OperationRequest, Object> start(TaskService tasks, List<String> arguments, EventContext context,
                TaskCallback<OperationRequest, Object> callback) {
            OperationRequest request = new OperationRequest(name, arguments, context, tasks);
            checkArgumentCount(request.arguments());
            Running running = new Running();
            Task<OperationRequest, Object> task = tasks.builder(request, callback)
                    .name(request.toString())
                    .sourceTag(name) // tells the operations apart in diagnostics (JFR, metrics)
                    .context(context)
                    .cleanup(() -> {
                        inFlight.remove(running);
                        running.finished.countDown();
                    })
                    .create();
            running.task = task;
            inFlight.add(running);
            if (withdrawn) {
                task.dispose();
                throw new IllegalArgumentException("operation '" + name + "' has been withdrawn");
            }
            try {
                operation.start(task);
            } catch (RuntimeException | Error rejected) {
                task.dispose();
                throw rejected;
            }
            return task;
        }

        /**
         * Checks the count against the operation's own description, so that
         * no plugin has to: the required arguments first, then optional ones.
         */
        private void checkArgumentCount(List<String> given) {
            List<Operation.Argument> expected = operation.arguments();
            if (given.size() > expected.size()) {
                throw new IllegalArgumentException(name + ": too many arguments " + given + " (usage: "
                        + info().usage() + ")");
            }
            if (given.size() < expected.size() && expected.get(given.size()).required()) {
                throw new IllegalArgumentException(name + ": missing argument "
                        + expected.get(given.size()).name().toUpperCase(Locale.ROOT) + " (usage: "
                        + info().usage() + ")");
            }
        }

        void withdraw() {
            withdrawn = true;
            String reason = "operation '" + name + "' was withdrawn (its provider '" + provider + "' went away)";
            for (Running running : inFlight) {
                running.task.cancel(true, reason);
            }
            long deadline = System.nanoTime() + withdrawGrace.toNanos();
            for (Running running : inFlight) {
                if (!running.await(deadline)) {
                    reporter.warn("operation '" + name + "': task '" + running.task.name() + "' did not finish within "
                            + withdrawGrace + " of the withdrawal", null);
                }
            }
        }
    }

    /** A task in flight; {@code finished} opens when its cleanups run. */
    private static final class Running {
        final CountDownLatch finished = new CountDownLatch(1);
        volatile Task<OperationRequest, Object> task;

        boolean await(long deadlineNanos) {
            try {
                return finished.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
