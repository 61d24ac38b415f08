package task.impl.loop;

/**
 * Carries another thread's stack into a report: what a stalled or stuck
 * context's thread was doing when it was looked at.
 */
final class ThreadStack {
    private ThreadStack() {
    }

    /**
     * A throwable (never thrown) whose stack is {@code stack}. Its class is
     * the JDK's, not ours: a log service keeps recent records, and an
     * exception of one of this bundle's classes would keep an updated or
     * uninstalled revision's class loader reachable for as long.
     *
     * @param thread the thread that was looked at
     * @param stack its stack, as taken
     * @return the throwable to report with
     */
    static Exception of(Thread thread, StackTraceElement[] stack) {
        Exception carrier = new Exception("stack of thread '" + thread.getName() + "'", null);
        carrier.setStackTrace(stack);
        return carrier;
    }
}
