package task.itest.load;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import task.api.EventContext;
import task.api.EventContextFactory;
import task.api.Task;
import task.api.TaskCancelledException;
import task.api.TaskService;
import task.api.spi.OperationService;

/**
 * A client bundle of the shutdown-under-load test, built in memory by
 * {@code RestartUnderLoadIT}: every callback, worker and cleanup below is a
 * class of THIS bundle. It registers itself as a {@code Consumer<Map>}; the
 * test hands it a map of JDK objects (sizes in, counters out), and it starts
 * a batch of tasks through its own bundle-scoped services.
 * <p>
 * Slots: [0, blocked) workers blocked until interrupted; then pending tasks
 * (never run); then quick workers whose completion is posted to a context
 * (the default one, an undriven caller-driven one, one with its own thread);
 * then {@code resolve} operations through the OperationService.
 * Every callback and cleanup records whether this bundle was still ACTIVE or
 * STOPPING when it ran (entry and exit), and whether the test had already
 * seen the owner of its task stop (the map's "stopped": "all" or "resolve").
 */
public final class LoadClient implements BundleActivator, Consumer<Map<String, Object>> {
    private volatile Bundle bundle;
    private volatile BundleContext context;

    @Override
    public void start(BundleContext context) {
        this.context = context;
        this.bundle = context.getBundle();
        context.registerService(Consumer.class, this, null);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters our service and releases the ones we use
    }

    @SuppressWarnings("unchecked")
    @Override
    public void accept(Map<String, Object> round) {
        BundleContext bc = context;
        int blocked = (Integer) round.get("blocked");
        int pending = (Integer) round.get("pending");
        int posted = (Integer) round.get("posted");
        int resolves = (Integer) round.get("resolves");
        int total = blocked + pending + posted + resolves;
        AtomicIntegerArray callbacks = new AtomicIntegerArray(total);
        AtomicIntegerArray cleanups = new AtomicIntegerArray(total);
        AtomicIntegerArray workerCleanups = new AtomicIntegerArray(total);
        CountDownLatch started = new CountDownLatch(blocked);
        round.put("callbacks", callbacks);
        round.put("cleanups", cleanups);
        round.put("workerCleanups", workerCleanups);
        round.put("started", started);
        Queue<Thread> workerThreads = (Queue<Thread>) round.get("workerThreads");
        Queue<String> violations = (Queue<String>) round.get("violations");
        AtomicReference<String> stopped = (AtomicReference<String>) round.get("stopped");
        AtomicInteger cancelledResolves = (AtomicInteger) round.get("cancelledResolves");

        TaskService tasks = bc.getService(bc.getServiceReference(TaskService.class));
        EventContextFactory factory = bc.getService(bc.getServiceReference(EventContextFactory.class));
        ServiceReference<OperationService> opsRef = bc.getServiceReference(OperationService.class);
        OperationService operations = bc.getService(opsRef);
        EventContext undriven = factory.create("task-itest-undriven");
        EventContext own = factory.start("task-itest-context-" + round.get("round"));
        EventContext[] contexts = { tasks.defaultContext(), undriven, own };

        int slot = 0;
        for (int i = 0; i < blocked; i++, slot++) {
            int me = slot;
            Task<Object, Object> task = tasks.create("blocked-" + me,
                    done -> callback(me, "blocked", callbacks, violations, stopped),
                    () -> cleanup(me, "blocked", cleanups, violations));
            task.runInThread(running -> {
                workerThreads.add(Thread.currentThread());
                started.countDown();
                new CountDownLatch(1).await(); // only an interrupt ends this
            }, () -> cleanup(me, "blocked worker", workerCleanups, violations), null);
        }
        for (int i = 0; i < pending; i++, slot++) {
            int me = slot;
            tasks.create("pending-" + me, done -> callback(me, "pending", callbacks, violations, stopped),
                    () -> cleanup(me, "pending", cleanups, violations));
        }
        for (int i = 0; i < posted; i++, slot++) {
            int me = slot;
            Task<Object, Object> task = tasks.create("posted-" + me,
                    done -> callback(me, "posted", callbacks, violations, stopped),
                    () -> cleanup(me, "posted", cleanups, violations));
            task.runInThread(running -> running.setResult(me),
                    () -> cleanup(me, "posted worker", workerCleanups, violations), contexts[i % contexts.length]);
        }
        for (int i = 0; i < resolves; i++, slot++) {
            int me = slot;
            List<String> arguments = i % 2 == 0 ? List.of("localhost") : List.of("127.0.0.1", "80");
            operations.start(tasks, "resolve", arguments, i % 4 < 2 ? null : own, done -> {
                callback(me, "resolve", callbacks, violations, stopped);
                Throwable error = done.propagateError();
                if (error instanceof TaskCancelledException) {
                    cancelledResolves.incrementAndGet();
                } else if (error != null || done.result() == null) {
                    violations.add("resolve " + arguments + " failed: " + error);
                }
            });
            // the operation service's own cleanup is not ours to count: mark it done
            cleanups.set(me, 1);
        }
        bc.ungetService(opsRef);
    }

    private void callback(int slot, String kind, AtomicIntegerArray callbacks, Queue<String> violations,
            AtomicReference<String> stopped) {
        check("callback", slot, kind, violations, stopped);
        if (callbacks.incrementAndGet(slot) != 1) {
            violations.add("callback of " + kind + " #" + slot + " ran twice");
        }
        check("callback (exit)", slot, kind, violations, stopped);
    }

    private void cleanup(int slot, String kind, AtomicIntegerArray cleanups, Queue<String> violations) {
        check("cleanup", slot, kind, violations, null);
        if (cleanups.incrementAndGet(slot) != 1) {
            violations.add("cleanup of " + kind + " #" + slot + " ran twice");
        }
    }

    private void check(String what, int slot, String kind, Queue<String> violations, AtomicReference<String> stopped) {
        int state = bundle.getState();
        if (state != Bundle.ACTIVE && state != Bundle.STOPPING) {
            violations.add(what + " of " + kind + " #" + slot + " ran in a stopped bundle (state " + state + ") on "
                    + Thread.currentThread().getName());
        }
        String owner = stopped == null ? null : stopped.get();
        if (owner != null && (owner.equals("all") || kind.startsWith(owner))) {
            violations.add(what + " of " + kind + " #" + slot + " ran after its owner (" + owner + ") stopped, on "
                    + Thread.currentThread().getName());
        }
    }
}
