package task.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.util.List;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.osgi.framework.Bundle;

import task.api.spi.OperationInfo;
import task.api.spi.OperationService;

/**
 * Our own plugin bundles, installed, stopped, restarted and uninstalled at
 * run time: their operations appear and vanish without a restart, and run
 * from the shell while present.
 */
public class PluginBundlesIT extends TaskContainerTest {

    @Inject
    OperationService operations;

    @Inject
    CommandProcessor shell;

    @Test
    public void theResolverPluginComesAndGoesAtRunTime() throws Exception {
        assertFalse(names().contains("resolve"));
        Bundle resolver = install("task.plugins.resolver.bundle");
        resolver.start();

        OperationInfo info = operations.find("resolve").orElseThrow();
        assertEquals("task.plugins.resolver", info.provider());
        assertEquals("127.0.0.1:80", GogoShell.execute(shell, "task:resolve 127.0.0.1 80"));
        assertTrue(GogoShell.execute(shell, "task:resolve localhost").lines().anyMatch("127.0.0.1"::equals));

        resolver.stop();
        assertFalse("stopped plugin's operation is gone", names().contains("resolve"));
        resolver.start();
        assertTrue("restarted plugin's operation is back", names().contains("resolve"));
        assertEquals("[::1]:443", GogoShell.execute(shell, "task:run resolve ::1 443"));

        resolver.uninstall();
        assertFalse("uninstalled plugin's operation is gone", names().contains("resolve"));
    }

    private Bundle install(String property) throws Exception {
        File jar = new File(System.getProperty(property));
        return bundleContext.installBundle(jar.toURI().toString());
    }

    private List<String> names() {
        return operations.operations().stream().map(OperationInfo::name).toList();
    }
}
