package task.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.Set;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.sun.tools.attach.VirtualMachine;

/**
 * A JMX connection to another JVM on this machine, made as JConsole and
 * VisualVM make one to a local process: the Attach API starts the JVM's
 * local management agent and gives its address, and a JMX connector
 * connects to it. For tests that read the runtime's MBeans from outside
 * its JVM. Close it when done.
 */
public final class AttachedJmx implements AutoCloseable {
    private final JMXConnector connector;
    private final MBeanServerConnection server;

    private AttachedJmx(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
    }

    /**
     * Attaches to a JVM and connects to its MBean server.
     *
     * @param pid the JVM's process id
     * @return the connection
     * @throws Exception if the JVM cannot be attached to or connected
     */
    public static AttachedJmx attach(long pid) throws Exception {
        String address;
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        return new AttachedJmx(JMXConnectorFactory.connect(new JMXServiceURL(address)));
    }

    /** @return the JVM's MBean server */
    public MBeanServerConnection server() {
        return server;
    }

    /**
     * @param pattern an object name pattern
     * @return the one name registered that matches it; fails the test if there is none or more than one
     * @throws Exception if the connection fails
     */
    public ObjectName theOne(String pattern) throws Exception {
        Set<ObjectName> names = server.queryNames(new ObjectName(pattern), null);
        assertEquals(1, names.size(), () -> pattern + " matches " + names);
        return names.iterator().next();
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
