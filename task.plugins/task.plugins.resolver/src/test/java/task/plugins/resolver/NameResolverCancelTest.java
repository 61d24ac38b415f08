package task.plugins.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCancelledException;
import task.impl.TaskRuntime;

/**
 * Cancelling a resolution through the public API, with the system resolver.
 * The context is driven by the test thread, so the completion cannot run
 * before the test cancels: the cancellation always wins, whatever the
 * worker is doing meanwhile. (Cancelling in the middle of a lookup, with a
 * lookup held open, is in {@code internal.ResolutionCancelTest}.)
 */
@Timeout(60)
class NameResolverCancelTest {
    private TaskRuntime runtime;
    private EventContext context;

    @BeforeEach
    void start() {
        runtime = TaskRuntime.start();
        context = runtime.contexts().create("resolver-cancel-test");
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    @Test
    void cancelledLookupReportsTaskCancelledException() {
        Outcome<SocketAddress, List<SocketAddress>> outcome = new Outcome<>(context);
        Task<SocketAddress, List<SocketAddress>> task = NameResolver.resolve(runtime.tasks(),
                InetSocketAddress.createUnresolved("localhost", 80), AddressFamily.ANY, context, outcome);
        assertTrue(task.cancel(true, "no longer wanted"));
        outcome.drive();
        TaskCancelledException error = assertInstanceOf(TaskCancelledException.class, outcome.error());
        assertTrue(error.getMessage().contains("no longer wanted"), error.getMessage());
        assertNull(outcome.result());
        assertTrue(outcome.onContextThread());
        // Nothing else arrives for this task: the callback ran exactly once.
        while (context.iterate(false)) {
            // drain
        }
        assertEquals(1, outcome.calls());
    }

    @Test
    void cancelledPassThroughCallsBackOnceWithTheCancellation() {
        Outcome<SocketAddress, List<SocketAddress>> outcome = new Outcome<>(context);
        Task<SocketAddress, List<SocketAddress>> task = NameResolver.resolve(runtime.tasks(),
                InetSocketAddress.createUnresolved("127.0.0.1", 80), AddressFamily.ANY, context, outcome);
        assertTrue(task.cancel(false));
        outcome.drive();
        // The posted complete() must not deliver a second, successful callback.
        while (context.iterate(false)) {
            // drain
        }
        assertEquals(1, outcome.calls());
        assertInstanceOf(TaskCancelledException.class, outcome.error());
        assertNull(outcome.result());
        assertTrue(runtime.inspector().inFlight().isEmpty(), runtime.inspector().inFlight().toString());
    }
}
