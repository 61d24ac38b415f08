package task.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.osgi.util.tracker.ServiceTracker;

import task.api.Task;
import task.api.TaskService;
import task.api.ThreadRunner;

/** The thread runner is configured through Config Admin, described by metatype, and keeps working. */
public class RunnerConfigurationIT extends TaskContainerTest {
    private static final long TIMEOUT_SECONDS = 30;

    @Inject
    ConfigurationAdmin configurationAdmin;

    @Inject
    MetaTypeService metaTypes;

    @Test
    public void theRunnerIsDescribedByMetatype() {
        Bundle impl = installedBundle(TASK_IMPL);
        MetaTypeInformation information = metaTypes.getMetaTypeInformation(impl);
        assertTrue(Arrays.asList(information.getPids()).contains(ThreadRunner.PID));
        ObjectClassDefinition definition = information.getObjectClassDefinition(ThreadRunner.PID, null);
        assertNotNull(definition);
        assertTrue(Arrays.stream(definition.getAttributeDefinitions(ObjectClassDefinition.ALL))
                .anyMatch(attribute -> attribute.getID().equals("maxPlatformThreads")));
    }

    @Test
    public void aNewConfigurationRestartsTheRunnerWithIt() throws Exception {
        Configuration configuration = configurationAdmin.getConfiguration(ThreadRunner.PID, "?");
        try {
            Dictionary<String, Object> properties = new Hashtable<>();
            properties.put("virtualThreads", false);
            properties.put("maxPlatformThreads", 2);
            ThreadRunner reconfigured = awaitNewRunner(() -> configuration.update(properties));
            assertFalse("configured off", reconfigured.usesVirtualThreads());
            assertWorkerRunsOn("task-worker-");
        } finally {
            ThreadRunner restored = awaitNewRunner(configuration::delete);
            assertEquals(Runtime.version().feature() >= 21, restored.usesVirtualThreads());
        }
    }

    /** Runs {@code change} and returns the runner DS registers next. */
    private ThreadRunner awaitNewRunner(ThrowingAction change) throws Exception {
        CountDownLatch registered = new CountDownLatch(1);
        ServiceListener listener = event -> {
            if (event.getType() == ServiceEvent.REGISTERED) {
                registered.countDown();
            }
        };
        bundleContext.addServiceListener(listener, "(objectClass=" + ThreadRunner.class.getName() + ")");
        try {
            change.run();
            assertTrue("the runner came back", registered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } finally {
            bundleContext.removeServiceListener(listener);
        }
        ServiceReference<ThreadRunner> reference = bundleContext.getServiceReference(ThreadRunner.class);
        return bundleContext.getService(reference);
    }

    private void assertWorkerRunsOn(String threadPrefix) throws Exception {
        // The task services hold the runner statically: DS registers them
        // again just after the new runner, so wait for one to be back.
        ServiceTracker<TaskService, TaskService> tracker = new ServiceTracker<>(bundleContext, TaskService.class, null);
        tracker.open();
        try {
            TaskService tasks = tracker.waitForService(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            assertNotNull("a task service is back after the runner restarted", tasks);
            CompletableFuture<String> workerThread = new CompletableFuture<>();
            Task<String, Void> task = tasks.create("config", done -> { }, null);
            task.runInThread(running -> workerThread.complete(Thread.currentThread().getName()));
            String name = workerThread.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertTrue(name, name.startsWith(threadPrefix));
        } finally {
            tracker.close();
        }
    }

    private interface ThrowingAction {
        void run() throws Exception;
    }
}
