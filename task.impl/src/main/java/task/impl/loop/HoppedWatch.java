package task.impl.loop;

import java.nio.channels.SelectableChannel;
import java.util.concurrent.RejectedExecutionException;

import task.api.IoCallback;

/**
 * An I/O watch of an {@link ExecutorContext}: a watch on the shared
 * thread's selector that ends at the first readiness, having handed the
 * callback to the executor; the callback, once it returned true, watches
 * anew. So the interest is re-armed only after the callback returned true,
 * and the callback never runs twice at once. Active until cancelled, until
 * its callback returns false, until its channel is closed, or until its
 * context closes.
 */
final class HoppedWatch extends HoppedSource {
    final SelectableChannel channel;
    private final int ops;
    private final IoCallback callback;

    HoppedWatch(ExecutorContext context, SelectableChannel channel, int ops, IoCallback callback) {
        super(context);
        this.channel = channel;
        this.ops = ops;
        this.callback = callback;
    }

    @Override
    public boolean isActive() {
        return super.isActive() && channel.isOpen();
    }

    /**
     * Arms (again): watches the channel on the shared thread.
     *
     * @throws RejectedExecutionException if the shared thread has stopped
     * @throws IllegalArgumentException if the channel was closed or made blocking
     */
    void arm() {
        armed(context.hops().watch(channel, ops, this::ready));
    }

    /** On the shared thread: ready; the callback goes to the executor, and this readiness watch ends. */
    private boolean ready(int readyOps) {
        if (!isActive() || !context.handFromHops(this, () -> fire(readyOps))) {
            cancel();
        }
        return false;
    }

    /** On the executor's thread. */
    private void fire(int readyOps) {
        if (!isActive()) {
            cancel(); // closed channel: the watch ends
            return;
        }
        boolean keep;
        try {
            keep = callback.onReady(readyOps);
        } catch (Throwable failure) {
            context.report("an I/O watch threw; the watch is kept", channel, failure);
            keep = true;
        }
        if (!keep || !isActive()) {
            cancel();
            return;
        }
        try {
            arm();
        } catch (RejectedExecutionException stopped) {
            cancel(); // the context closed meanwhile
        } catch (IllegalArgumentException unwatchable) {
            cancel();
            if (channel.isOpen()) { // else: closing the channel ended the watch, as documented
                context.report("an I/O watch's channel can no longer be watched; the watch ends", channel,
                        unwatchable);
            }
        }
    }

    @Override
    String describe() {
        return "an I/O watch on " + channel;
    }
}
