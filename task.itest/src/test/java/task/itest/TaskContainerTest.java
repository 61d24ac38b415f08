package task.itest;

import static org.ops4j.pax.exam.CoreOptions.bootDelegationPackage;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemPackages;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;

import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Base class of the in-container tests: a framework (Felix, or Equinox in the
 * second failsafe run: whichever FrameworkFactory is on the class path) with the runtime
 * bundles (DS, Config Admin, Metatype, Log), the freshly built task.api and
 * task.impl bundles, and the shell (Gogo's runtime and task.shell), all
 * installed by file URI; {@link #headless()} is the same without the shell. Pax Exam's own
 * bundles come through pax-url from the local repository, offline (failsafe
 * sets the pax-url system properties).
 *
 * <p>
 * Subclasses add {@code @Test} methods and {@code @Inject} services (Pax Exam
 * waits for an injected service up to its default timeout). To add options,
 * override {@link #config()} and append to {@code super.config()} with
 * {@link org.ops4j.pax.exam.OptionUtils#combine}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public abstract class TaskContainerTest {

    /** Bundle-SymbolicName of the API bundle. */
    public static final String TASK_API = "task.api";
    /** Bundle-SymbolicName of the implementation bundle. */
    public static final String TASK_IMPL = "task.impl";

    @Inject
    protected BundleContext bundleContext;

    @Configuration
    public Option[] config() {
        return options(headless(), bundles("task.shell.bundles"));
    }

    /** The runtime and the bundles under test, without Gogo or the shell. */
    protected static Option headless() {
        return composite(
            cleanCaches(),
            systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
            // Felix Log keeps the last 100 entries, service events with their
            // references, hence the registered objects: a bounded history that
            // would hold a stopped revision's class loader for a while and fail
            // RestartUnderLoadIT's check that every stopped loader is collected.
            frameworkProperty("org.apache.felix.log.maxSize").value("0"),
            // Neither Felix nor Equinox exports the JDK's jdk.* packages by
            // default: the runtime's JFR events need jdk.jfr (README, "JFR events").
            systemPackages("jdk.jfr", "jdk.jfr.consumer"), // added to Pax Exam's own extra system packages
            // A JFR event class, once the JDK instruments it, calls into jdk.jfr.internal
            // from the bundle's class loader: delegated to the JDK (README, "JFR events").
            bootDelegationPackage("jdk.jfr.internal.*"),
            runtimeBundles(),
            fileBundle(required("task.api.bundle")),
            fileBundle(required("task.impl.bundle")),
            junitBundles());
    }

    /** The runtime bundle list, in install order. */
    protected static Option runtimeBundles() {
        return bundles("task.runtime.bundles");
    }

    /** The bundles of a comma-separated list of paths in a system property, in its order. */
    private static Option bundles(String property) {
        List<Option> bundles = new ArrayList<>();
        for (String path : required(property).split(",")) {
            if (!path.isBlank()) {
                bundles.add(fileBundle(path.trim()));
            }
        }
        return composite(bundles.toArray(new Option[0]));
    }

    protected static Option fileBundle(String path) {
        File file = new File(path);
        if (!file.isFile()) {
            throw new IllegalStateException("No bundle file " + file + " (run through Maven: mvn verify)");
        }
        return bundle(file.toURI().toString());
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + property + " not set (run through Maven: mvn verify)");
        }
        return value;
    }

    /** The installed bundle with this symbolic name, or null. */
    protected Bundle installedBundle(String symbolicName) {
        for (Bundle b : bundleContext.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    protected static boolean isFragment(Bundle b) {
        return b.getHeaders("").get(org.osgi.framework.Constants.FRAGMENT_HOST) != null;
    }

    protected static String stateName(int state) {
        switch (state) {
            case Bundle.UNINSTALLED: return "UNINSTALLED";
            case Bundle.INSTALLED: return "INSTALLED";
            case Bundle.RESOLVED: return "RESOLVED";
            case Bundle.STARTING: return "STARTING";
            case Bundle.STOPPING: return "STOPPING";
            case Bundle.ACTIVE: return "ACTIVE";
            default: return Integer.toString(state);
        }
    }
}
