package task.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.util.tracker.ServiceTracker;

import task.api.Task;
import task.api.TaskInspector;
import task.api.TaskService;

/**
 * The runtime's MBeans inside the framework, in the platform MBean server:
 * the test bundle's owner bean counts the tasks it ran through its
 * bundle-scoped task service, the contexts bean lists the default context;
 * stopping task.impl unregisters every
 * {@code task.runtime} bean, and starting it again (once a client gets its
 * inspector, which activates the runtime) registers a runner bean under a new
 * runtime number. task.impl is left started.
 */
public class MetricsBeansIT extends TaskContainerTest {
    private static final long GUARD_SECONDS = 30;
    private static final int TASKS = 3;

    @Inject
    TaskService tasks;

    @Test
    public void theOwnerBeanCountsTheTasksAndTheBeansGoAndComeBackWithTaskImpl() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        CountDownLatch called = new CountDownLatch(TASKS);
        for (int i = 0; i < TASKS; i++) {
            Task<String, String> task = tasks.builder("src", (Task<String, String> t) -> called.countDown())
                    .name("jmx-" + i).create();
            task.runInThread(t -> t.setResult("value"));
        }
        assertTrue("every callback ran", called.await(GUARD_SECONDS, TimeUnit.SECONDS));
        ObjectName owner = theOne(server, "task.runtime:type=Owner,name="
                + ObjectName.quote(bundleContext.getBundle().getSymbolicName()) + ",*");
        assertEquals(owner.toString(), (long) TASKS, server.getAttribute(owner, "Started"));
        assertEquals(owner.toString(), (long) TASKS, server.getAttribute(owner, "Succeeded"));
        assertEquals(owner.toString(), 0L, server.getAttribute(owner, "InFlight"));
        String runtime = theOne(server, "task.runtime:type=Runner,*").getKeyProperty("runtime");
        assertEquals("the owner's runtime is the runner's", runtime, owner.getKeyProperty("runtime"));
        CompositeData[] contexts = (CompositeData[]) server.getAttribute(
                theOne(server, "task.runtime:type=Contexts,runtime=" + runtime + ",*"), "Contexts");
        assertTrue("the default context is listed", Arrays.stream(contexts)
                .anyMatch(row -> "task-default-context".equals(row.get("name"))));

        Bundle impl = installedBundle(TASK_IMPL);
        impl.stop();
        try {
            assertEquals("task.runtime beans once task.impl stopped", Set.of(),
                    server.queryNames(new ObjectName("task.runtime:*"), null));
        } finally {
            impl.start();
        }
        ServiceTracker<TaskInspector, TaskInspector> inspector = new ServiceTracker<>(bundleContext,
                TaskInspector.class, null);
        inspector.open();
        try {
            assertNotNull("the inspector is back", inspector.waitForService(TimeUnit.SECONDS.toMillis(GUARD_SECONDS)));
            assertNotEquals("a new runtime", runtime,
                    theOne(server, "task.runtime:type=Runner,*").getKeyProperty("runtime"));
        } finally {
            inspector.close();
        }
    }

    /** The one name registered that matches {@code pattern}. */
    private static ObjectName theOne(MBeanServer server, String pattern) throws Exception {
        Set<ObjectName> names = server.queryNames(new ObjectName(pattern), null);
        assertEquals(pattern + " matches " + names, 1, names.size());
        return names.iterator().next();
    }
}
