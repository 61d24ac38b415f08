package task.shell;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import task.api.Task;
import task.api.TaskService;
import task.api.spi.OperationRequest;
import task.api.spi.OperationService;

/**
 * Runs an operation for a shell command and waits for its outcome: the
 * shell's thread may block, the operation's context does not.
 */
final class OperationRunner {
    private final OperationService operations;
    private final TaskService tasks;
    private final Duration timeout;

    OperationRunner(OperationService operations, TaskService tasks, Duration timeout) {
        this.operations = operations;
        this.tasks = tasks;
        this.timeout = timeout;
    }

    /** @return the operations this runner starts */
    OperationService operations() {
        return operations;
    }

    /**
     * Runs {@code name} with {@code arguments}.
     *
     * @return the result's text
     * @throws Exception the operation's error (a cancelled operation's own
     *         {@link CancellationException}, whatever the JDK wraps it in), an
     *         argument error, or a timeout
     */
    String run(String name, List<String> arguments) throws Exception {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Task<OperationRequest, Object> task = operations.start(tasks, name, arguments, null, done -> {
            Throwable error = done.propagateError();
            if (error != null) {
                outcome.completeExceptionally(error);
            } else {
                outcome.complete(done.result());
            }
        });
        try {
            return String.valueOf(outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException late) {
            task.cancel(true, "the shell gave up after " + timeout);
            throw new TimeoutException(task.name() + ": no outcome within " + timeout);
        } catch (CancellationException cancelled) {
            throw cancellation(cancelled);
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            throw failed;
        }
    }

    /**
     * The cancellation the operation completed with. JDK 25's
     * {@code CompletableFuture.get} throws a new
     * {@code CancellationException("get")} with the original as its cause,
     * where earlier JDKs throw the original itself; the shell must print the
     * original's message ("task 'x' was cancelled: ...").
     */
    private static CancellationException cancellation(CancellationException thrown) {
        Throwable cause = thrown.getCause();
        return cause instanceof CancellationException ? (CancellationException) cause : thrown;
    }
}
