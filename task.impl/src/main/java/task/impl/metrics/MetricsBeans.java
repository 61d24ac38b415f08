package task.impl.metrics;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import task.api.metrics.ContextStats;
import task.api.metrics.RunnerStats;
import task.api.metrics.TaskCounts;
import task.impl.log.Reporter;

/**
 * The MXBeans of one runtime in the platform MBean server, domain
 * {@value #DOMAIN}: {@code type=Runner,runtime=<n>},
 * {@code type=Contexts,runtime=<n>}, and one {@code type=Owner} or
 * {@code type=Operation} per name as the counters are made
 * ({@code runtime=<n>,name=<quoted name>}). {@code n} numbers the runtimes
 * of this JVM, so that two (a plain-Java one and an OSGi one, or a
 * restarted task.impl bundle) never clash: each class loader of task.impl
 * has its own counter, so a runtime claims its number by registering its
 * runner bean under it, and takes the next one while that name is taken.
 * {@link #close} unregisters every bean this object registered, once.
 *
 * <p>Threading: any thread. A registration failure (no JMX, a name taken)
 * is reported and leaves the metrics working without that bean.
 */
public final class MetricsBeans implements AutoCloseable {
    /** The JMX domain. */
    public static final String DOMAIN = "task.runtime";
    private static final AtomicInteger RUNTIMES = new AtomicInteger();

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final String runtime;
    private final Reporter reporter;
    /** Registered names; a name is added before its registration, removed by close. */
    private final Set<ObjectName> registered = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * Registers the runner's and the contexts' beans, and the counters' beans
     * as {@code metrics} makes them.
     *
     * @param metrics the counters; not null
     * @param runner the runner's statistics; any thread; not null
     * @param contexts the open contexts' statistics, sorted by name; any thread; not null
     * @param reporter where registration failures go; not null
     */
    public MetricsBeans(TaskMetrics metrics, Supplier<RunnerStats> runner, Supplier<List<ContextStats>> contexts,
            Reporter reporter) {
        this.reporter = reporter;
        this.runtime = claimRuntime(new RunnerMXBean() {
            @Override
            public boolean isVirtualThreads() {
                return runner.get().virtualThreads();
            }

            @Override
            public int getThreads() {
                return runner.get().threads();
            }

            @Override
            public int getBusy() {
                return runner.get().busy();
            }

            @Override
            public int getQueued() {
                return runner.get().queued();
            }
        });
        register(name("Contexts", null), () -> contexts.get().stream().map(MetricsBeans::row).toList(),
                ContextsMXBean.class);
        metrics.onNewCounts((type, counts) -> register(name(type, counts.name()), new CountsBean(counts),
                CountsMXBean.class));
    }

    /** @return this runtime's number, the {@code runtime} key of its beans' names */
    public String runtime() {
        return runtime;
    }

    /**
     * Registers the runner's bean under the first runtime number whose name
     * is free (see the class comment); in the constructor, before any close.
     *
     * @return the number claimed
     */
    private String claimRuntime(RunnerMXBean runner) {
        for (;;) {
            String claimed = Integer.toString(RUNTIMES.incrementAndGet());
            ObjectName name = name("Runner", claimed, null);
            try {
                server.registerMBean(new javax.management.StandardMBean(runner, RunnerMXBean.class, true), name);
                registered.add(name);
                return claimed;
            } catch (InstanceAlreadyExistsException taken) {
                // another copy of task.impl (another class loader) numbered a runtime so: try the next
            } catch (JMException | RuntimeException failed) {
                reporter.warn("task metrics: cannot register the MBean " + name, failed);
                return claimed;
            }
        }
    }

    private ObjectName name(String type, String name) {
        return name(type, runtime, name);
    }

    private static ObjectName name(String type, String runtime, String name) {
        try {
            return new ObjectName(DOMAIN + ":type=" + type + ",runtime=" + runtime
                    + (name == null ? "" : ",name=" + ObjectName.quote(name)));
        } catch (JMException impossible) {
            throw new IllegalArgumentException(impossible);
        }
    }

    private <T> void register(ObjectName name, T bean, Class<T> type) {
        if (closed) {
            return;
        }
        registered.add(name);
        try {
            server.registerMBean(new javax.management.StandardMBean(bean, type, true), name);
        } catch (JMException | RuntimeException failed) {
            registered.remove(name);
            reporter.warn("task metrics: cannot register the MBean " + name, failed);
        }
        if (closed) {
            // A close that raced with this registration may have tried to
            // unregister it before it was registered: unregister it here
            // (twice is harmless).
            registered.remove(name);
            unregister(name);
        }
    }

    /** Unregisters every bean registered by this object; idempotent. */
    @Override
    public void close() {
        closed = true;
        for (ObjectName name : registered) {
            if (registered.remove(name)) {
                unregister(name);
            }
        }
    }

    private void unregister(ObjectName name) {
        try {
            server.unregisterMBean(name);
        } catch (JMException ignored) {
            // not registered (yet, or any more)
        }
    }

    private static ContextsMXBean.ContextRow row(ContextStats stats) {
        return new ContextsMXBean.ContextRow() {
            @Override
            public String getName() {
                return stats.name();
            }

            @Override
            public int getPending() {
                return stats.pending();
            }

            @Override
            public long getLagSamples() {
                return stats.lag().count();
            }

            @Override
            public long getLagMedianNanos() {
                return stats.lag().medianNanos();
            }

            @Override
            public long getLagP99Nanos() {
                return stats.lag().p99Nanos();
            }

            @Override
            public long getLagMaxNanos() {
                return stats.lag().maxNanos();
            }

            @Override
            public long getBusyNanos() {
                return stats.busyNanos();
            }
        };
    }

    private static final class CountsBean implements CountsMXBean {
        private final TaskMetrics.Counts counts;

        CountsBean(TaskMetrics.Counts counts) {
            this.counts = counts;
        }

        private TaskCounts now() {
            return counts.snapshot();
        }

        @Override
        public long getStarted() {
            return now().started();
        }

        @Override
        public long getSucceeded() {
            return now().succeeded();
        }

        @Override
        public long getFailed() {
            return now().failed();
        }

        @Override
        public long getCancelled() {
            return now().cancelled();
        }

        @Override
        public long getDisposed() {
            return now().disposed();
        }

        @Override
        public long getInFlight() {
            return now().inFlight();
        }

        @Override
        public long getWorkerRuns() {
            return now().runTime().count();
        }

        @Override
        public long getQueueTimeMedianNanos() {
            return now().queueTime().medianNanos();
        }

        @Override
        public long getQueueTimeP99Nanos() {
            return now().queueTime().p99Nanos();
        }

        @Override
        public long getRunTimeMedianNanos() {
            return now().runTime().medianNanos();
        }

        @Override
        public long getRunTimeP99Nanos() {
            return now().runTime().p99Nanos();
        }

        @Override
        public long getRunTimeMaxNanos() {
            return now().runTime().maxNanos();
        }
    }
}
