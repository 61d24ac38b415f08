package task.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.junit.Test;
import org.osgi.framework.ServiceRegistration;

import task.api.TaskFuture;
import task.api.TaskGroup;
import task.api.TaskService;
import task.api.spi.ContextPropagator;

/**
 * In OSGi, context propagators are whiteboard services: one registered by
 * any bundle is captured with the tasks every bundle creates from then on,
 * and no longer once it is unregistered. Also: a task's future and a group
 * work through the bundle-scoped service.
 */
public class ContextPropagationIT extends TaskContainerTest {
    private static final ThreadLocal<String> REQUEST = new ThreadLocal<>();

    @Inject
    TaskService tasks;

    @Test
    public void aRegisteredPropagatorCarriesTheCreatorsContextIntoTheWorker() throws Exception {
        ContextPropagator request = () -> {
            String value = REQUEST.get();
            return value == null ? null : () -> {
                String before = REQUEST.get();
                REQUEST.set(value);
                return () -> REQUEST.set(before);
            };
        };
        REQUEST.set("r-1");
        try {
            assertNull("no propagator yet", tasks.supply("before", REQUEST::get, null).get(10, TimeUnit.SECONDS));
            ServiceRegistration<ContextPropagator> registration =
                    bundleContext.registerService(ContextPropagator.class, request, null);
            try {
                TaskFuture<String> seen = tasks.supply("with", REQUEST::get, null);
                assertEquals("r-1", seen.get(10, TimeUnit.SECONDS));
            } finally {
                registration.unregister();
            }
            assertNull("unregistered", tasks.supply("after", REQUEST::get, null).get(10, TimeUnit.SECONDS));
        } finally {
            REQUEST.remove();
        }
    }

    @Test
    public void aGroupOfTheBundleScopedServiceCancelsItsTasks() throws Exception {
        try (TaskGroup group = tasks.group("itest")) {
            TaskFuture<String> blocked = group.tasks().supply("blocked", () -> {
                new java.util.concurrent.CountDownLatch(1).await();
                return "never";
            }, null);
            group.cancel("test over");
            assertEquals(true, group.awaitAll(java.time.Duration.ofSeconds(10)));
            assertEquals(true, blocked.isCancelled());
        }
    }
}
