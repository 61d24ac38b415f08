package task.impl.runner;

import java.util.concurrent.FutureTask;

/**
 * Makes the runtime's own threads (an event context's thread, a platform
 * worker; the body of a virtual overflow worker) so that a dead one keeps
 * nothing of the runtime: the thread is a plain {@code java.lang.Thread},
 * and its body is handed over through a JDK {@link FutureTask}, which drops
 * the body once it has run.
 * Something outside may keep a dead thread for good: Felix 7.0.5 does, when
 * a thread loses a race to define a class in another bundle
 * ({@code BundleWiringImpl.BundleClassLoader.defineClassParallel} returns
 * without removing the entry it put in that loader's lock map). A thread
 * subclass of ours, or a body of ours that the thread still references (a
 * JDK 21+ thread keeps its task after it ends), would then keep a stopped
 * task.impl's class loader reachable; RestartUnderLoadIT found it so once
 * in some twenty runs, and a heap dump showed the path.
 * <p>
 * The body must not throw (the runtime's bodies catch what their jobs and
 * callbacks throw); if something still escapes, it goes to the thread's
 * uncaught-exception handler, as it would without the wrapper.
 */
final class PlainThreads {
    private PlainThreads() {
    }

    /**
     * @param body what the thread runs; not null
     * @param name the thread's name
     * @return a daemon thread, not started
     */
    static Thread newDaemon(Runnable body, String name) {
        Thread thread = new Thread(droppedOnceRun(body), name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * @param body what a thread of the runtime runs; not null
     * @return what to give the thread instead: it runs {@code body} once and
     *         then drops it (a virtual thread too keeps its task after it ends)
     */
    static Runnable droppedOnceRun(Runnable body) {
        return new FutureTask<Void>(() -> {
            try {
                body.run();
            } catch (Throwable escaped) {
                Thread me = Thread.currentThread();
                me.getUncaughtExceptionHandler().uncaughtException(me, escaped);
            }
        }, null);
    }
}
