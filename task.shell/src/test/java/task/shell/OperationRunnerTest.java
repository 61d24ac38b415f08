package task.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;

import org.junit.jupiter.api.Test;

import task.api.Task;
import task.api.TaskCancelledException;
import task.api.spi.Operation;
import task.api.spi.OperationRequest;
import task.impl.TaskRuntime;
import task.impl.log.Reporter;
import task.impl.ops.OperationRegistry;

/** What the shell's operation commands throw, on every JDK. */
class OperationRunnerTest {

    /** An operation that cancels its own task, with a reason. */
    private static final class SelfCancelling implements Operation {
        @Override
        public String name() {
            return "give-up";
        }

        @Override
        public String description() {
            return "cancels itself";
        }

        @Override
        public List<Argument> arguments() {
            return List.of();
        }

        @Override
        public void start(Task<OperationRequest, Object> task) {
            task.cancel(false, "it gave up");
        }
    }

    @Test
    void aCancelledOperationFailsWithItsOwnCancellationNotTheFuturesWrapper() {
        try (TaskRuntime runtime = TaskRuntime.start()) {
            OperationRegistry operations = new OperationRegistry(Reporter.systemLogger("task.runtime"),
                    Duration.ofSeconds(10));
            operations.add(new SelfCancelling(), "test");
            OperationRunner runner = new OperationRunner(operations, runtime.tasks(), Duration.ofSeconds(10));
            CancellationException thrown = assertThrows(CancellationException.class,
                    () -> runner.run("give-up", List.of()));
            // JDK 25's CompletableFuture.get wraps it in a CancellationException("get").
            assertEquals(TaskCancelledException.class, thrown.getClass());
            assertTrue(thrown.getMessage().startsWith("task '") && thrown.getMessage().endsWith("' was cancelled: it gave up"),
                    thrown.getMessage());
        }
    }
}
