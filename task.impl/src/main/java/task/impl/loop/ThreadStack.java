package task.impl.loop;

/**
 * Carries another thread's stack into a report: what a stalled or stuck
 * context's thread was doing when it was looked at. Not thrown.
 */
final class ThreadStack extends Exception {
    private static final long serialVersionUID = 1L;

    ThreadStack(Thread thread, StackTraceElement[] stack) {
        super("stack of thread '" + thread.getName() + "'", null, false, true);
        setStackTrace(stack);
    }
}
