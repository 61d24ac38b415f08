package task.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.Test;
import org.osgi.framework.Bundle;

/** Every installed bundle resolves and starts; the bundles under test are there. */
public class BundlesActiveIT extends TaskContainerTest {

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
