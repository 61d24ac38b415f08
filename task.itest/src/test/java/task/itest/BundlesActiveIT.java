package task.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

/**
 * Every installed bundle resolves and starts; the bundles under test are
 * there; and the framework is the one this run of the suite is for (failsafe
 * runs the suite once on Felix and once on Equinox).
 */
public class BundlesActiveIT extends TaskContainerTest {
    /** The system bundle's symbolic name per value of {@code task.itest.framework}. */
    private static final Map<String, String> SYSTEM_BUNDLES = Map.of(
            "felix", "org.apache.felix.framework",
            "equinox", "org.eclipse.osgi");

    @Test
    public void theFrameworkIsTheOneThisRunIsFor() {
        String framework = System.getProperty("task.itest.framework");
        assertNotNull("task.itest.framework not set (run through Maven: mvn verify)", framework);
        assertEquals("framework of the '" + framework + "' run", SYSTEM_BUNDLES.get(framework),
                bundleContext.getBundle(0).getSymbolicName());
    }

    /** pax-logging-api 2.1.x, which many Karaf and Pax setups run, exports the Log Service 1.4 only. */
    @Test
    public void theRuntimeImportsTheLogService14ItUses() {
        String imports = installedBundle(TASK_IMPL).getHeaders("").get(Constants.IMPORT_PACKAGE);
        Matcher log = Pattern.compile("org\\.osgi\\.service\\.log;version=\"([^\"]+)\"").matcher(imports);
        assertTrue("task.impl imports the Log Service: " + imports, log.find());
        assertTrue("range " + log.group(1) + " admits 1.4", new VersionRange(log.group(1)).includes(new Version(1, 4, 0)));
    }

    /**
     * Internal wiring stays internal: the runtime and the shell register only
     * types another bundle can import (the API's, Gogo's, and Object for the
     * commands, which Gogo finds by their scope property).
     */
    @Test
    public void ourBundlesRegisterPublicTypesOnly() {
        List<String> internal = new ArrayList<>();
        for (String name : List.of(TASK_IMPL, "task.shell")) {
            Bundle bundle = installedBundle(name);
            assertNotNull(name + " installed", bundle);
            ServiceReference<?>[] registered = bundle.getRegisteredServices();
            assertNotNull(name + " registers services", registered);
            for (ServiceReference<?> service : registered) {
                for (String type : (String[]) service.getProperty(Constants.OBJECTCLASS)) {
                    if (!type.startsWith("task.api.") && !type.equals(Object.class.getName())
                            && !type.startsWith("org.apache.felix.service.command.")) {
                        internal.add(name + ": " + type);
                    }
                }
            }
        }
        assertTrue("internal types registered as services: " + internal, internal.isEmpty());
    }

    @Test
    public void everyBundleIsActiveAndFragmentsAreResolved() {
        List<String> wrong = new ArrayList<>();
        for (Bundle b : bundleContext.getBundles()) {
            int expected = isFragment(b) ? Bundle.RESOLVED : Bundle.ACTIVE;
            if (b.getState() != expected) {
                wrong.add(b.getSymbolicName() + " " + b.getVersion() + " is " + stateName(b.getState())
                    + ", expected " + stateName(expected));
            }
        }
        assertTrue("bundles not started: " + wrong, wrong.isEmpty());
    }

    @Test
    public void bundlesUnderTestArePresent() {
        Bundle api = installedBundle(TASK_API);
        Bundle impl = installedBundle(TASK_IMPL);
        assertNotNull("task.api not installed", api);
        assertNotNull("task.impl not installed", impl);
        assertEquals(Bundle.ACTIVE, api.getState());
        assertEquals(Bundle.ACTIVE, impl.getState());
    }
}
