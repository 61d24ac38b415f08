package task.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.inject.Inject;

import org.junit.Test;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import task.api.EventContext;
import task.api.EventContextFactory;
import task.api.Task;
import task.api.TaskInfo;
import task.api.TaskInspector;
import task.api.TaskService;
import task.api.TaskState;
import task.api.ThreadRunner;

/** The runtime's services in a real Felix with SCR: injected, completing on the right thread, owned per bundle. */
public class TaskServicesIT extends TaskContainerTest {
    private static final long TIMEOUT_SECONDS = 30;

    @Inject
    TaskService tasks;

    @Inject
    @Filter("(" + EventContext.NAME_PROPERTY + "=" + EventContext.DEFAULT_NAME + ")")
    EventContext defaultContext;

    @Inject
    EventContextFactory contexts;

    @Inject
    TaskInspector inspector;

    @Inject
    ThreadRunner runner;

    @Test
    public void servicesAreInjected() {
        assertNotNull(tasks);
        assertNotNull(contexts);
        assertNotNull(inspector);
        assertEquals("the task service hands out the registered default context", defaultContext.name(),
                tasks.defaultContext().name());
        assertEquals("virtual threads exactly where the JVM has them", Runtime.version().feature() >= 21,
                runner.usesVirtualThreads());
        assertThrows(UnsupportedOperationException.class, defaultContext::close);
    }

    @Test
    public void threadedTaskCompletesOnTheDefaultContextThread() throws Exception {
        CompletableFuture<String> callbackThread = new CompletableFuture<>();
        CompletableFuture<String> workerThread = new CompletableFuture<>();
        Task<String, Integer> task = tasks.create("itest source", done -> {
            if (!defaultContext.inContext()) {
                callbackThread.completeExceptionally(new AssertionError("callback off the default context"));
                return;
            }
            assertNull(done.propagateError());
            callbackThread.complete(Thread.currentThread().getName() + " result=" + done.result());
        }, null);
        task.runInThread(running -> {
            workerThread.complete(Thread.currentThread().getName());
            running.setResult(42);
        });
        assertEquals("task-default-context result=42", callbackThread.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertNotEquals("task-default-context", workerThread.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    public void threadedTaskCompletesOnAGivenContextThread() throws Exception {
        EventContext context = contexts.start("itest-context");
        try {
            CompletableFuture<String> callbackThread = new CompletableFuture<>();
            Task<String, Void> task = tasks.create("itest source",
                    done -> callbackThread.complete(context.inContext() ? Thread.currentThread().getName() : "elsewhere"),
                    null);
            task.runInThread(running -> { }, null, context);
            assertEquals("itest-context", callbackThread.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } finally {
            context.close();
        }
    }

    @Test
    public void threadedTaskCompletesOnAnAdoptedExecutorsThread() throws Exception {
        ExecutorService ui = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "itest-ui"));
        try {
            EventContext context = contexts.adopt("itest-adopted", ui);
            assertTrue("listed: " + inspector.contexts(), inspector.contexts().stream()
                    .anyMatch(info -> info.name().equals("itest-adopted") && info.status().contains("[executor")));
            CompletableFuture<String> callbackThread = new CompletableFuture<>();
            Task<String, Void> task = tasks.create("itest source",
                    done -> callbackThread.complete(context.inContext() ? Thread.currentThread().getName() : "elsewhere"),
                    null);
            task.runInThread(running -> { }, null, context);
            assertEquals("itest-ui", callbackThread.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            CompletableFuture<String> timer = new CompletableFuture<>();
            context.schedule(Duration.ZERO, () -> timer.complete(Thread.currentThread().getName()));
            assertEquals("itest-ui", timer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            context.close();
            assertTrue(context.isClosed());
            assertTrue(inspector.contexts().stream().noneMatch(info -> info.name().equals("itest-adopted")));
        } finally {
            ui.shutdownNow();
        }
    }

    @Test
    public void stoppingAClientBundleDisposesItsTasksInFlight() throws Exception {
        Bundle client = ClientBundles.installAndStart(bundleContext, "task.itest.client");
        BundleContext clientContext = client.getBundleContext();
        ServiceReference<TaskService> reference = clientContext.getServiceReference(TaskService.class);
        TaskService clientTasks = clientContext.getService(reference);
        assertNotSame("each bundle gets its own task service", tasks, clientTasks);

        AtomicInteger callbacks = new AtomicInteger();
        AtomicInteger cleanups = new AtomicInteger();
        AtomicInteger workerCleanups = new AtomicInteger();
        CountDownLatch allCleaned = new CountDownLatch(3);
        CountDownLatch workerStarted = new CountDownLatch(1);
        CountDownLatch neverReleased = new CountDownLatch(1);
        Object source = new Object();
        WeakReference<Object> sourceRef = new WeakReference<>(source);

        Task<Object, Void> pending = clientTasks.create(source, done -> callbacks.incrementAndGet(), () -> {
            cleanups.incrementAndGet();
            allCleaned.countDown();
        });
        Task<Object, Void> running = clientTasks.create(source, done -> callbacks.incrementAndGet(), () -> {
            cleanups.incrementAndGet();
            allCleaned.countDown();
        });
        running.runInThread(worker -> {
            workerStarted.countDown();
            neverReleased.await(); // only the disposal's interrupt ends this wait
        }, () -> {
            workerCleanups.incrementAndGet();
            allCleaned.countDown();
        }, null);
        source = null;
        assertTrue(workerStarted.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));

        List<TaskInfo> listed = inspector.inFlight();
        assertEquals(2, listed.stream().filter(info -> info.owner().equals("task.itest.client")).count());

        client.stop();

        running.waitThread(); // on a disposed task: until its worker returned and it finished
        assertTrue("every cleanup ran", allCleaned.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertEquals("no callback ran into the stopped bundle", 0, callbacks.get());
        assertEquals(2, cleanups.get());
        assertEquals(1, workerCleanups.get());
        assertEquals(TaskState.FINISHED, pending.state());
        assertEquals(TaskState.FINISHED, running.state());
        assertThrows(IllegalStateException.class, pending::source);
        assertTrue("the task list is empty afterwards", inspector.inFlight().isEmpty());
        assertThrows(IllegalStateException.class, () -> clientTasks.create("late", done -> { }, null));
        for (int i = 0; i < 100 && sourceRef.get() != null; i++) {
            System.gc();
        }
        assertNull("the tasks released their source", sourceRef.get());
        client.uninstall();
    }
}
