package task.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.osgi.util.tracker.ServiceTracker;

import task.api.EventContext;

/** The contexts' and the task services' settings are described by metatype and applied from Config Admin. */
public class ContextConfigurationIT extends TaskContainerTest {
    private static final long TIMEOUT_SECONDS = 30;
    private static final String CONTEXTS_PID = "task.contexts";
    private static final String SERVICE_PID = "task.service";
    private static final String CHECKER = "task-context-checker";
    private static final String DEFAULT_FILTER = "(&(objectClass=" + EventContext.class.getName() + ")("
            + EventContext.NAME_PROPERTY + "=" + EventContext.DEFAULT_NAME + "))";

    @Inject
    ConfigurationAdmin configurationAdmin;

    @Inject
    MetaTypeService metaTypes;

    @Test
    public void theSettingsAreDescribedByMetatype() {
        Bundle impl = installedBundle(TASK_IMPL);
        MetaTypeInformation information = metaTypes.getMetaTypeInformation(impl);
        List<String> pids = Arrays.asList(information.getPids());
        assertTrue(pids.toString(), pids.contains(CONTEXTS_PID) && pids.contains(SERVICE_PID));
        assertEquals(List.of("closeGraceSeconds", "stallThresholdMillis"), ids(information, CONTEXTS_PID));
        assertEquals(List.of("recordCreationSites", "untakenErrorLevel"), ids(information, SERVICE_PID));
        AttributeDefinition level = Arrays.stream(information.getObjectClassDefinition(SERVICE_PID, null)
                .getAttributeDefinitions(ObjectClassDefinition.ALL))
                .filter(a -> a.getID().equals("untakenErrorLevel")).findFirst().orElseThrow();
        assertEquals(List.of("WARNING", "INFO", "DEBUG", "OFF"), Arrays.asList(level.getOptionValues()));
        assertEquals("WARNING", level.getDefaultValue()[0]);
    }

    private static List<String> ids(MetaTypeInformation information, String pid) {
        ObjectClassDefinition definition = information.getObjectClassDefinition(pid, null);
        assertNotNull(pid, definition);
        return Arrays.stream(definition.getAttributeDefinitions(ObjectClassDefinition.ALL))
                .map(AttributeDefinition::getID).sorted().toList();
    }

    @Test
    public void aThresholdOfZeroRestartsTheContextsWithoutAStallChecker() throws Exception {
        Configuration configuration = configurationAdmin.getConfiguration(CONTEXTS_PID, "?");
        try {
            Dictionary<String, Object> properties = new Hashtable<>();
            properties.put("stallThresholdMillis", 0);
            assertTheNewDefaultContextRuns(() -> configuration.update(properties));
            assertFalse("no checker with the check off", checkerAlive());
        } finally {
            assertTheNewDefaultContextRuns(configuration::delete);
        }
        assertTrue("the checker is back with the default threshold", checkerAlive());
    }

    private static boolean checkerAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(CHECKER) && t.isAlive());
    }

    private static void assertRuns(EventContext context) throws Exception {
        CompletableFuture<String> ran = new CompletableFuture<>();
        context.post(() -> ran.complete(Thread.currentThread().getName()));
        assertEquals("task-default-context", ran.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    /**
     * Runs {@code change} and checks that the default context DS registers
     * next runs events (the component is immediate: it runs while task.impl
     * is active, held or not; the test uses it while its tracker holds it).
     */
    private void assertTheNewDefaultContextRuns(ThrowingAction change) throws Exception {
        CountDownLatch registered = new CountDownLatch(1);
        ServiceListener listener = event -> {
            if (event.getType() == ServiceEvent.REGISTERED) {
                registered.countDown();
            }
        };
        bundleContext.addServiceListener(listener, DEFAULT_FILTER);
        try {
            change.run();
            assertTrue("the default context came back", registered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } finally {
            bundleContext.removeServiceListener(listener);
        }
        ServiceTracker<EventContext, EventContext> tracker = new ServiceTracker<>(bundleContext,
                bundleContext.createFilter(DEFAULT_FILTER), null);
        tracker.open();
        try {
            EventContext context = tracker.waitForService(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            assertNotNull(context);
            assertRuns(context);
        } finally {
            tracker.close();
        }
    }

    private interface ThrowingAction {
        void run() throws Exception;
    }
}
