package task.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.util.tracker.ServiceTracker;

import task.api.TaskInfo;
import task.api.TaskInspector;
import task.api.TaskService;
import task.api.spi.Operation;
import task.api.spi.OperationService;
import task.itest.load.LoadClient;

/**
 * Shutdown under load (issue 4), in Felix: each round a fresh client bundle
 * (built in memory, so its callbacks are its own classes) starts a batch of
 * tasks (workers blocked until interrupted, pending tasks, completions posted
 * to three kinds of context, {@code resolve} operations of the resolver
 * plugin) and then one of these stops while they are in flight, in turn:
 * task.impl (stop and start), task.impl (stop, update, refresh, start), the
 * client bundle, the resolver plugin (stop and start). Every round ends with
 * the client stopped and uninstalled.
 * <p>
 * Checked each round: no callback or cleanup ran in a stopped bundle, or
 * after the owner of its task had stopped; every cleanup ran exactly once,
 * and by the time the owner's stop() returned; a cancelled resolve's
 * callback ran exactly once before the plugin's stop() returned; after
 * task.impl stops no thread named "task-" is alive (platform threads by
 * name, and every worker thread, virtual ones included, by identity); after
 * the runtime comes back, nothing is in flight. At the end every old
 * task.impl class loader and every client class loader is collected.
 * <p>
 * 100 rounds; {@code -Dtask.stress.long=true} makes it 1000, and
 * {@code -Dtask.stress.rounds=N} sets any count. No sleeps: every wait is on
 * an event, bounded by a hang guard.
 */
public class RestartUnderLoadIT extends TaskContainerTest {
    private static final long GUARD_SECONDS = 30;
    /** Where the collector enqueues the weak references to the stopped bundles' class loaders. */
    private static final ReferenceQueue<ClassLoader> COLLECTED = new ReferenceQueue<>();
    private static final int BLOCKED = 8;
    private static final int PENDING = 8;
    private static final int POSTED = 12;
    private static final int RESOLVES = 6;
    private static final String CLIENT = "task.itest.load";
    private static final String RESOLVER = "task.plugins.resolver";

    @Test
    public void stoppingAndStartingBundlesWhileTasksAreInFlight() throws Exception {
        int rounds = Integer.getInteger("task.stress.rounds", Boolean.getBoolean("task.stress.long") ? 1000 : 100);
        Bundle impl = installedBundle(TASK_IMPL);
        Bundle resolver = bundleContext.installBundle(new File(System.getProperty("task.plugins.resolver.bundle"))
                .toURI().toString());
        resolver.start();
        List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
        int[] byVariant = new int[4];
        long[] totals = new long[3]; // tasks, callbacks run, cancelled resolves
        long start = System.nanoTime();
        try {
            for (int round = 0; round < rounds; round++) {
                int variant = round % 4;
                byVariant[variant]++;
                round(round, variant, impl, resolver, loaders, totals);
            }
        } finally {
            resolver.uninstall();
            refresh(List.of(resolver));
        }
        assertCollected(loaders);
        System.out.printf("RestartUnderLoadIT: %d rounds (task.impl stop/start %d, task.impl update+refresh %d,"
                + " client stop %d, resolver stop/start %d), %d tasks, %d callbacks run (the rest disposed), %d resolves"
                + " cancelled by their plugin's stop, %d class loaders collected, %d ms%n", rounds,
                byVariant[0], byVariant[1], byVariant[2], byVariant[3], totals[0], totals[1], totals[2], loaders.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** One round; adds to totals: tasks, callbacks run, cancelled resolves. */
    private void round(int round, int variant, Bundle impl, Bundle resolver, List<WeakReference<ClassLoader>> loaders,
            long[] totals) throws Exception {
        awaitRuntime();
        Bundle client = ClientBundles.installAndStart(bundleContext, CLIENT, LoadClient.class, LoadClient.class);
        loaders.add(new WeakReference<>(client.adapt(BundleWiring.class).getClassLoader(), COLLECTED));

        Map<String, Object> load = new ConcurrentHashMap<>();
        Queue<Thread> workerThreads = new ConcurrentLinkedQueue<>();
        Queue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicReference<String> stopped = new AtomicReference<>();
        AtomicInteger cancelledResolves = new AtomicInteger();
        load.put("round", round);
        load.put("blocked", BLOCKED);
        load.put("pending", PENDING);
        load.put("posted", POSTED);
        load.put("resolves", RESOLVES);
        load.put("workerThreads", workerThreads);
        load.put("violations", violations);
        load.put("stopped", stopped);
        load.put("cancelledResolves", cancelledResolves);
        startLoad(client, load);
        AtomicIntegerArray callbacks = (AtomicIntegerArray) load.get("callbacks");
        AtomicIntegerArray cleanups = (AtomicIntegerArray) load.get("cleanups");
        AtomicIntegerArray workerCleanups = (AtomicIntegerArray) load.get("workerCleanups");
        assertTrue("round " + round + ": blocked workers started",
                ((CountDownLatch) load.get("started")).await(GUARD_SECONDS, TimeUnit.SECONDS));
        String where = "round " + round + " (" + variantName(variant) + ")";

        boolean clientStopped = false;
        switch (variant) {
            case 0:
            case 1:
                impl.stop();
                stopped.set("all");
                assertNoThreadOfOursSurvives(where, workerThreads);
                assertAllCleanedUp(where + ", when task.impl's stop() returned", cleanups, workerCleanups);
                if (variant == 1) {
                    loaders.add(new WeakReference<>(impl.adapt(BundleWiring.class).getClassLoader(), COLLECTED));
                    impl.update();
                    refresh(List.of(impl));
                }
                impl.start();
                break;
            case 2:
                client.stop();
                clientStopped = true;
                stopped.set("all");
                assertAllCleanedUp(where + ", when the client's stop() returned", cleanups, workerCleanups);
                assertNoThreadNamed(where, "task-itest-context-" + round);
                break;
            case 3:
                resolver.stop();
                stopped.set("resolve");
                int first = BLOCKED + PENDING + POSTED;
                for (int slot = first; slot < first + RESOLVES; slot++) {
                    assertEquals(where + ": resolve #" + slot + " called back once before the plugin's stop() returned",
                            1, callbacks.get(slot));
                }
                resolver.start();
                break;
            default:
                throw new AssertionError(variant);
        }
        if (!clientStopped) {
            client.stop();
            stopped.set("all");
            assertAllCleanedUp(where + ", when the client's stop() returned", cleanups, workerCleanups);
        }
        client.uninstall();
        refresh(List.of(client));
        client = null;

        for (int slot = 0; slot < BLOCKED + PENDING; slot++) {
            assertEquals(where + ": blocked or pending task #" + slot + " never called back", 0, callbacks.get(slot));
        }
        for (int slot = 0; slot < callbacks.length(); slot++) {
            assertTrue(where + ": task #" + slot + " called back at most once", callbacks.get(slot) <= 1);
        }
        assertTrue(where + ": " + violations, violations.isEmpty());
        assertEquals(where + ": nothing in flight after the runtime came back", List.of(), inFlight());
        workerThreads.clear();
        totals[0] += callbacks.length();
        for (int slot = 0; slot < callbacks.length(); slot++) {
            totals[1] += callbacks.get(slot);
        }
        totals[2] += cancelledResolves.get();
    }

    @SuppressWarnings("unchecked")
    private void startLoad(Bundle client, Map<String, Object> load) {
        ServiceReference<?>[] references;
        try {
            references = client.getRegisteredServices();
        } catch (IllegalStateException e) {
            throw new AssertionError(e);
        }
        assertNotNull("the client registered its driver", references);
        ServiceReference<?> reference = references[0];
        Consumer<Map<String, Object>> driver = (Consumer<Map<String, Object>>) bundleContext.getService(reference);
        try {
            driver.accept(load);
        } finally {
            bundleContext.ungetService(reference);
        }
    }

    /** Waits for the runtime's services (and the resolve operation) to be registered; no polling. */
    private void awaitRuntime() throws InterruptedException {
        for (Class<?> type : List.of(TaskService.class, OperationService.class, TaskInspector.class, Operation.class)) {
            ServiceTracker<?, ?> tracker = new ServiceTracker<>(bundleContext, type.getName(), null);
            tracker.open();
            try {
                assertNotNull(type.getSimpleName() + " registered", tracker.waitForService(
                        TimeUnit.SECONDS.toMillis(GUARD_SECONDS)));
            } finally {
                tracker.close();
            }
        }
    }

    private List<TaskInfo> inFlight() throws InterruptedException {
        ServiceTracker<TaskInspector, TaskInspector> tracker = new ServiceTracker<>(bundleContext,
                TaskInspector.class, null);
        tracker.open();
        try {
            TaskInspector inspector = tracker.waitForService(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
            assertNotNull("TaskInspector registered", inspector);
            return inspector.inFlight();
        } finally {
            tracker.close();
        }
    }

    private static void assertAllCleanedUp(String where, AtomicIntegerArray cleanups, AtomicIntegerArray workerCleanups) {
        for (int slot = 0; slot < cleanups.length(); slot++) {
            assertEquals(where + ": cleanup of task #" + slot + " ran exactly once", 1, cleanups.get(slot));
        }
        for (int slot = 0; slot < BLOCKED; slot++) {
            assertEquals(where + ": worker cleanup of blocked task #" + slot + " ran exactly once", 1,
                    workerCleanups.get(slot));
        }
        for (int slot = BLOCKED + PENDING; slot < BLOCKED + PENDING + POSTED; slot++) {
            assertEquals(where + ": worker cleanup of posted task #" + slot + " ran exactly once", 1,
                    workerCleanups.get(slot));
        }
    }

    private static void assertNoThreadOfOursSurvives(String where, Queue<Thread> workerThreads) {
        List<String> ours = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName).filter(name -> name.startsWith("task-")).sorted().collect(Collectors.toList());
        assertEquals(where + ": no thread named task-* alive after task.impl's stop() returned", List.of(), ours);
        List<String> workers = workerThreads.stream().filter(Thread::isAlive).map(Thread::toString)
                .collect(Collectors.toList());
        assertEquals(where + ": every worker thread (virtual ones included) ended", List.of(), workers);
    }

    private static void assertNoThreadNamed(String where, String name) {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && thread.getName().equals(name)) {
                fail(where + ": thread " + name + " is alive after its owner stopped");
            }
        }
    }

    private void refresh(List<Bundle> bundles) throws InterruptedException {
        CountDownLatch refreshed = new CountDownLatch(1);
        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        bundleContext.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(bundles, event -> {
            if (event.getType() == FrameworkEvent.ERROR) {
                errors.add(event.getThrowable());
            } else if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                refreshed.countDown();
            }
        });
        assertTrue("refresh of " + bundles + " done", refreshed.await(GUARD_SECONDS, TimeUnit.SECONDS));
        assertTrue("refresh errors: " + errors, errors.isEmpty());
    }

    /**
     * Full GCs until every weak reference is clear, each followed by a wait
     * for the next reference the collector enqueues (a thread of a stopped
     * bundle that is still ending may hold its loader for a moment), within
     * the guard: a loader still reachable then is a leak.
     */
    private static void assertCollected(List<WeakReference<ClassLoader>> loaders) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (loaders.stream().anyMatch(ref -> ref.get() != null) && System.nanoTime() - deadline < 0) {
            System.gc();
            COLLECTED.remove(100);
        }
        List<ClassLoader> reachable = loaders.stream().map(WeakReference::get).filter(loader -> loader != null)
                .collect(Collectors.toList());
        List<String> alive = reachable.stream().map(String::valueOf).collect(Collectors.toList());
        assertEquals("class loaders of stopped bundles still reachable (threads holding one: "
                + threadsHolding(reachable) + ")", List.of(), alive);
    }

    /**
     * The live threads that hold one of {@code loaders} as their context
     * class loader or run a class of it: a thread a stopped bundle left, or
     * one the JDK started from such a thread, which inherited its context
     * class loader. For the failure message.
     */
    private static List<String> threadsHolding(List<ClassLoader> loaders) {
        List<String> holding = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (loaders.contains(thread.getContextClassLoader()) || loaders.contains(thread.getClass().getClassLoader())) {
                holding.add("'" + thread.getName() + "' (" + thread.getClass().getName() + ")");
            }
        }
        return holding;
    }

    private static String variantName(int variant) {
        switch (variant) {
            case 0: return "task.impl stop/start";
            case 1: return "task.impl stop, update, refresh, start";
            case 2: return "client stop";
            default: return "resolver stop/start";
        }
    }
}
