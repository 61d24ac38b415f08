package task.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;

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

    /**
     * An Eclipse product starts no plug-in eagerly unless told to: a plug-in
     * that declares {@code Bundle-ActivationPolicy: lazy} is started by that
     * policy (what PDE declares for DS plug-ins), the others stay resolved;
     * and SCR serves a bundle only once it is active or lazily starting.
     * Installed that way, the plug-in's operation is served.
     */
    @Test
    public void aPluginStartedTheWayAnEclipseProductStartsPlugInsIsServed() throws Exception {
        Bundle resolver = install("task.plugins.resolver.bundle");
        try {
            if (Constants.ACTIVATION_LAZY.equals(resolver.getHeaders("").get(Constants.BUNDLE_ACTIVATIONPOLICY))) {
                resolver.start(Bundle.START_ACTIVATION_POLICY);
            }
            assertTrue("the plug-in's operation is served", names().contains("resolve"));
            assertEquals("127.0.0.1:80", GogoShell.execute(shell, "task:resolve 127.0.0.1 80"));
        } finally {
            resolver.uninstall();
        }
    }

    @Test
    public void theListenerAndConnectorPluginsServeAndConnectFromTheShell() throws Exception {
        Bundle resolver = install("task.plugins.resolver.bundle");
        Bundle listener = install("task.plugins.listener.bundle");
        Bundle connector = install("task.plugins.connector.bundle");
        for (Bundle plugin : List.of(resolver, listener, connector)) {
            plugin.start();
        }
        assertTrue(names().containsAll(List.of("resolve", "listen", "connect")));

        String listening = GogoShell.execute(shell, "task:listen 127.0.0.1:0");
        assertTrue(listening, listening.startsWith("listening on 127.0.0.1:"));
        int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim());

        String connected = GogoShell.execute(shell, "task:connect 127.0.0.1:" + port);
        assertTrue(connected, connected.startsWith("connected 127.0.0.1:") && connected.endsWith("-> 127.0.0.1:" + port));
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.getOutputStream().write("echo me\n".getBytes(StandardCharsets.US_ASCII));
            byte[] echoed = client.getInputStream().readNBytes(8);
            assertEquals("echo me\n", new String(echoed, StandardCharsets.US_ASCII));
        }

        listener.uninstall();
        assertFalse("uninstalled listener's operation is gone", names().contains("listen"));
        Exception refused = assertThrows(Exception.class,
                () -> GogoShell.execute(shell, "task:connect 127.0.0.1:" + port));
        assertTrue("the stopped listener closed its socket: " + refused.getMessage(),
                refused.getMessage().contains("Connection refused"));

        // The TLS plugin chains the resolver and the connector: its command fails at the connect step here.
        Bundle tls = install("task.plugins.tls.bundle");
        tls.start();
        assertTrue(names().contains("tls-connect"));
        Exception notSecured = assertThrows(Exception.class,
                () -> GogoShell.execute(shell, "task:tls-connect 127.0.0.1:" + port));
        assertTrue("tls-connect names the address: " + notSecured.getMessage(),
                notSecured.getMessage().contains("127.0.0.1:" + port));
        tls.uninstall();
        assertFalse(names().contains("tls-connect"));

        connector.uninstall();
        resolver.uninstall();
        assertFalse(names().contains("connect"));
        assertFalse(names().contains("resolve"));
    }

    private Bundle install(String property) throws Exception {
        File jar = new File(System.getProperty(property));
        return bundleContext.installBundle(jar.toURI().toString());
    }

    private List<String> names() {
        return operations.operations().stream().map(OperationInfo::name).toList();
    }
}
