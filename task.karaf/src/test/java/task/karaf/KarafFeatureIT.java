package task.karaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import task.testing.AttachedJmx;

/**
 * The shipped features file in a real Karaf 4.4 minimal distribution, the way
 * the README says: {@code feature:repo-add} its mvn: URL, {@code feature:install
 * task-runtime}, then the runtime's commands through Karaf's shell, and its
 * MBeans through a JMX client attached to Karaf's JVM.
 */
class KarafFeatureIT {

    /**
     * Karaf 4.4.8 runs no shell command on JDK 24 and later: its bin/ scripts
     * pass {@code -Djava.security.manager=allow}, which such a JVM refuses at
     * startup, and without that option Karaf boots but its ssh shell calls
     * {@code Subject.getSubject}, which throws there (JEP 486).
     */
    private static final boolean KARAF_RUNS_HERE = Runtime.version().feature() <= 23;
    private static final String NO_JDK_24 = "Karaf 4.4.8 cannot run shell commands on JDK 24 or later"
            + " (its scripts enable the Security Manager, and its ssh shell needs Subject.getSubject); this is JDK "
            + Runtime.version().feature();

    private static Karaf karaf;

    @BeforeAll
    static void bootAndInstallTheFeature() throws Exception {
        if (!KARAF_RUNS_HERE) {
            // the build output counts skipped tests but does not say why
            System.out.println("SKIP KarafFeatureIT: " + NO_JDK_24);
            return;
        }
        Path repository = Path.of(System.getProperty("task.karaf.repository"));
        String coordinates = System.getProperty("task.karaf.feature.coordinates");
        publishFeatures(repository, coordinates);
        karaf = Karaf.boot(Path.of(System.getProperty("task.karaf.home")), repository);
        Karaf.Result install = karaf.client("feature:repo-add mvn:" + coordinates + "/xml/features",
                "feature:install task-runtime");
        assertEquals(0, install.status(), () -> install.output() + "\n" + karaf.logTail());
    }

    @BeforeEach
    void onlyWhereKarafRuns() {
        assumeTrue(KARAF_RUNS_HERE, NO_JDK_24);
    }

    @AfterAll
    static void stop() throws Exception {
        if (karaf != null) {
            karaf.close();
        }
    }

    @Test
    void resolvingLocalhostPrintsItsLoopbackAddress() throws Exception {
        Karaf.Result r = karaf.client("task:resolve localhost");
        assertEquals(0, r.status(), r::output);
        assertTrue(r.output().lines().anyMatch("127.0.0.1"::equals), r::output);
    }

    @Test
    void aPortOutOfRangeFailsTheCommandWithTheReason() throws Exception {
        Karaf.Result r = karaf.client("task:resolve localhost 65536");
        assertNotEquals(0, r.status(), r::output);
        assertTrue(r.output().contains("resolve: port 65536 out of range 0..65535"), r::output);
    }

    @Test
    void theFeatureBringsEveryPluginsOperation() throws Exception {
        Karaf.Result r = karaf.client("task:operations");
        assertEquals(0, r.status(), r::output);
        for (String operation : new String[] { "resolve", "listen", "connect", "tls-connect" }) {
            assertTrue(r.output().lines().anyMatch(line -> line.startsWith(operation + " ")),
                    () -> operation + " missing from\n" + r.output());
        }
    }

    /**
     * The runtime's MBeans in Karaf's JVM, reached as JConsole reaches a local
     * process (the minimal distribution runs no JMX connector of its own: the
     * Attach API starts the JDK's local management agent): the runner's bean,
     * and the shell bundle's owner bean with two sleepers in flight. The
     * sleepers are cancelled afterwards.
     */
    @Test
    void anAttachedJmxClientSeesTheRunnerAndTheShellsSleepersInFlight() throws Exception {
        Karaf.Result sleep = karaf.client("task:sleep 2 600000");
        assertEquals(0, sleep.status(), sleep::output);
        Matcher ids = Pattern.compile("started 2 task\\(s\\) #(\\d+)\\.\\.#(\\d+)").matcher(sleep.output());
        assertTrue(ids.find(), sleep::output);
        try (AttachedJmx jmx = AttachedJmx.attach(karaf.jvmPid())) {
            MBeanServerConnection server = jmx.server();
            ObjectName runner = jmx.theOne("task.runtime:type=Runner,*");
            assertTrue((Integer) server.getAttribute(runner, "Threads") >= 0, runner::toString);
            ObjectName shell = jmx.theOne("task.runtime:type=Owner,name=" + ObjectName.quote("task.shell") + ",*");
            long inFlight = (Long) server.getAttribute(shell, "InFlight");
            assertTrue(inFlight >= 2, () -> shell + ": InFlight " + inFlight);
        }
        Karaf.Result cancel = karaf.client("task:cancel " + ids.group(1), "task:cancel " + ids.group(2));
        assertEquals(0, cancel.status(), cancel::output);
    }



    /**
     * Puts the built features file where its mvn: URL points in
     * {@code repository} (the build lays out the bundles there, but cannot
     * copy this module's own artifact as a dependency).
     */
    private static void publishFeatures(Path repository, String coordinates) throws Exception {
        String[] gav = coordinates.split("/");
        Path target = repository.resolve(gav[0].replace('.', '/')).resolve(gav[1]).resolve(gav[2])
                .resolve(gav[1] + "-" + gav[2] + "-features.xml");
        Files.createDirectories(target.getParent());
        Files.copy(Path.of(System.getProperty("task.karaf.feature.file")), target, StandardCopyOption.REPLACE_EXISTING);
    }
}
