package task.impl.osgi;

import java.time.Duration;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import task.api.ThreadRunner;
import task.api.metrics.RunnerStats;
import task.impl.runner.WorkerThreads;

/**
 * The thread runner service, configured through Config Admin under
 * {@link ThreadRunner#PID}. A new configuration restarts the runner (and,
 * through their static references, the task services).
 */
@Component(service = ThreadRunner.class, configurationPid = ThreadRunner.PID)
@Designate(ocd = RunnerComponent.Config.class)
public class RunnerComponent implements ThreadRunner {

    /** The runner's settings. */
    @ObjectClassDefinition(name = "Task thread runner",
            description = "Runs task workers on a bounded pool of platform threads; on Java 21 and later,"
                    + " a virtual thread for each worker that finds them all waiting.")
    public @interface Config {
        /** @return whether to use virtual threads where the JVM has them */
        @AttributeDefinition(name = "Virtual threads",
                description = "Use virtual threads where the JVM has them (Java 21 and later): at most one"
                        + " platform thread per core, and a virtual thread for each worker that finds them"
                        + " all waiting.")
        boolean virtualThreads() default true;

        /** @return the platform pool's size */
        @AttributeDefinition(name = "Platform threads", min = "1",
                description = "The platform threads that run workers at once (with virtual threads, at most"
                        + " one per core).")
        int maxPlatformThreads() default 64;

        /** @return platform threads allowed beyond the pool's size; with it, the hard cap */
        @AttributeDefinition(name = "Extra platform threads", min = "0",
                description = "Platform threads allowed beyond the pool's size, for workers blocked in the runtime"
                        + " (waiting for a task they started) and when queued work starves; the sum is a hard cap."
                        + " 0 keeps the pool strictly bounded.")
        int maxExtraThreads() default WorkerThreads.DEFAULT_MAX_EXTRA_THREADS;

        /** @return milliseconds queued work may wait, none taken, before a full platform pool grows */
        @AttributeDefinition(name = "Starvation interval (ms)", min = "1",
                description = "Milliseconds queued work may wait with no job taken before a full platform pool"
                        + " adds a thread; doubled per thread added, up to 64 times this.")
        int starvationMillis() default WorkerThreads.DEFAULT_STARVATION_MILLIS;

        /** @return seconds an idle platform thread lives */
        @AttributeDefinition(name = "Keep-alive (s)", min = "1",
                description = "Seconds an idle platform thread waits for work before it ends.")
        int keepAliveSeconds() default 60;

        /** @return seconds to wait for running workers when stopping */
        @AttributeDefinition(name = "Stop grace (s)", min = "0",
                description = "Seconds to wait for interrupted workers when the runner stops.")
        int stopGraceSeconds() default 10;
    }

    /** Its own, so that a new contexts' configuration does not restart the runner. */
    private final LogReporter reporter = new LogReporter();
    private final WorkerThreads threads;
    private final Duration stopGrace;

    /**
     * Starts the runner.
     *
     * @param config the settings
     */
    @Activate
    public RunnerComponent(Config config) {
        this.stopGrace = Duration.ofSeconds(Math.max(0, config.stopGraceSeconds()));
        this.threads = WorkerThreads.start("task-worker-", config.virtualThreads(), config.maxPlatformThreads(),
                config.maxExtraThreads(), Duration.ofMillis(config.starvationMillis()),
                Duration.ofSeconds(config.keepAliveSeconds()), reporter);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindLoggerFactory(LoggerFactory factory) {
        reporter.bind(factory);
    }

    void unbindLoggerFactory(LoggerFactory factory) {
        reporter.unbind(factory);
    }

    @Deactivate
    void deactivate() {
        if (!threads.stop(stopGrace)) {
            reporter.warn("thread runner: some workers did not stop within " + stopGrace, null);
        }
    }

    @Override
    public void execute(Runnable job) {
        threads.execute(job);
    }

    /** @return the runner now (see {@link WorkerThreads#stats()}); any thread */
    RunnerStats stats() {
        return threads.stats();
    }

    @Override
    public void execute(Runnable job, int priority) {
        threads.execute(job, priority);
    }

    @Override
    public boolean usesVirtualThreads() {
        return threads.usesVirtualThreads();
    }

    @Override
    public int activeCount() {
        return threads.activeCount();
    }
}
