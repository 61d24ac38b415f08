package task.launcher;

import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Tracks Gogo command services ({@code osgi.command.function}) so that a
 * command not found can wait for DS to register more commands, but only while
 * they are still appearing (the framework has just started).
 *
 * <p>
 * Threading: the tracker's callbacks run on framework threads, the waits on
 * the launcher's; both under {@code lock}, so a change seen by
 * {@link #awaitChange} happens-before its return.
 */
final class CommandServices implements AutoCloseable {
    /** Once no command service has appeared for this long, a missing command is final. */
    static final long QUIET_MILLIS = 1000;

    private final ServiceTracker<Object, Object> tracker;
    private final Object lock = new Object();
    // guarded by lock
    private int changes;
    private long lastChangeNanos = System.nanoTime();

    CommandServices(BundleContext context) throws InvalidSyntaxException {
        this.tracker = new ServiceTracker<>(context, context.createFilter("(osgi.command.function=*)"), null) {
            @Override
            public Object addingService(ServiceReference<Object> reference) {
                changed();
                return reference;
            }

            @Override
            public void removedService(ServiceReference<Object> reference, Object service) {
                changed();
            }
        };
        tracker.open(true);
    }

    @Override
    public void close() {
        tracker.close();
    }

    /** @return how many times the command services changed so far */
    int changes() {
        synchronized (lock) {
            return changes;
        }
    }

    private void changed() {
        synchronized (lock) {
            changes++;
            lastChangeNanos = System.nanoTime();
            lock.notifyAll();
        }
    }

    /**
     * Waits until the command services changed since {@code seen}. Gives up at
     * the deadline, or once no command service has appeared for
     * {@link #QUIET_MILLIS}.
     *
     * @return true if they changed
     */
    boolean awaitChange(int seen, long deadlineNanos) throws InterruptedException {
        synchronized (lock) {
            while (changes == seen) {
                long quietEnd = lastChangeNanos + TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
                long waitNanos = Math.min(deadlineNanos, quietEnd) - System.nanoTime();
                if (waitNanos <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, waitNanos);
            }
            return true;
        }
    }
}
