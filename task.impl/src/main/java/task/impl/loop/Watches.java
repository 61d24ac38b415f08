package task.impl.loop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import task.impl.runner.ManagedBlocking;

/**
 * The I/O watches of one loop and the selector behind them. A channel has
 * one selection key per selector, so the key's attachment lists every watch
 * on that channel and its interest set is their union.
 * <p>
 * Confinement: everything here runs on the loop's driving thread, except
 * {@link #wakeup()}. The selector is opened lazily, by the driving thread,
 * on the first watch; it is published through a volatile field, written
 * before the loop announces it may sleep, so a poster that sees the loop
 * sleeping also sees the selector to wake.
 */
final class Watches {
    private final EventLoop loop;
    private volatile Selector selector;
    /**
     * A key was cancelled since the last selection. NIO closes a watched
     * channel's descriptor (freeing its port) only when a selection
     * deregisters the key, so the next wait must not block before that.
     */
    private boolean deregistrationPending;

    Watches(EventLoop loop) {
        this.loop = loop;
    }

    /**
     * Wakes a loop blocked in {@link #await}, from any thread.
     *
     * @return false if there is no selector, so the loop parks instead
     */
    boolean wakeup() {
        Selector current = selector;
        if (current == null) {
            return false;
        }
        current.wakeup();
        return true;
    }

    /**
     * @return true if some channel is watched (or a cancelled key awaits
     *         deregistration): readiness then needs the selector. On the
     *         driving thread.
     */
    boolean any() {
        Selector current = selector;
        return current != null && !current.keys().isEmpty();
    }

    void add(IoWatch watch) {
        if (!watch.isActive()) {
            return;
        }
        try {
            Selector open = openSelector();
            SelectionKey key = watch.channel.keyFor(open);
            if (key != null && !key.isValid()) {
                // A cancelled key stays registered until the next selection;
                // flush it so that the channel can be registered anew.
                open.selectNow();
                key = null;
            }
            if (key == null) {
                List<IoWatch> watches = new ArrayList<>(1);
                watches.add(watch);
                watch.channel.register(open, watch.ops, watches);
            } else {
                watchesOf(key).add(watch);
                key.interestOps(key.interestOps() | watch.ops);
            }
        } catch (ClosedChannelException | CancelledKeyException closedMeanwhile) {
            watch.deactivate();
        } catch (IOException e) {
            watch.deactivate();
            throw new UncheckedIOException("context '" + loop.name() + "': cannot watch " + watch.channel, e);
        }
    }

    void remove(IoWatch watch) {
        Selector current = selector;
        SelectionKey key = current == null ? null : watch.channel.keyFor(current);
        if (key == null || !key.isValid()) {
            return;
        }
        List<IoWatch> watches = watchesOf(key);
        watches.remove(watch);
        updateInterest(key, watches);
    }

    /**
     * Waits for readiness (if {@code waitNanos} is positive; {@link Long#MAX_VALUE}
     * for no limit); {@link #dispatchReady()} then runs the ready watches.
     */
    void await(long waitNanos) throws IOException {
        Selector current = selector;
        if (current == null || waitNanos <= 0 || deregistrationPending) {
            if (current == null) {
                park(waitNanos);
                return;
            }
            deregistrationPending = false;
            current.selectNow();
        } else {
            // A blocking wait: a platform worker of a full pool driving a
            // context (iterate(true)) may wait for one of the pool's own
            // jobs, so a stand-in thread may run meanwhile; nothing is done
            // on a context's own thread, which is no worker.
            boolean managed = ManagedBlocking.begin();
            try {
                if (waitNanos == Long.MAX_VALUE) {
                    current.select();
                } else {
                    // Round up: waking early costs an iteration, waking late delays a timer.
                    current.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999)));
                }
            } finally {
                ManagedBlocking.end(managed);
            }
        }
    }

    /**
     * Runs the callbacks of the watches the last {@link #await} found ready.
     *
     * @return true if a callback ran
     */
    boolean dispatchReady() {
        Selector current = selector;
        if (current == null) {
            return false;
        }
        boolean dispatched = false;
        Iterator<SelectionKey> ready = current.selectedKeys().iterator();
        while (ready.hasNext()) {
            SelectionKey key = ready.next();
            ready.remove();
            dispatched |= dispatch(key);
        }
        return dispatched;
    }

    private boolean dispatch(SelectionKey key) {
        List<IoWatch> watches = watchesOf(key);
        boolean dispatched = false;
        // Callbacks may add or remove watches on this channel: iterate a copy.
        for (IoWatch watch : watches.toArray(new IoWatch[0])) {
            int readyOps;
            try {
                readyOps = key.readyOps() & watch.ops;
            } catch (CancelledKeyException closed) {
                break;
            }
            if (readyOps == 0 || !watch.isActive()) {
                continue;
            }
            dispatched = true;
            if (!loop.runCallback(watch, readyOps) && watch.deactivate()) {
                watches.remove(watch);
            }
        }
        if (key.isValid()) {
            watches.removeIf(watch -> !watch.isActive());
            updateInterest(key, watches);
        } else {
            deregistrationPending = true; // a callback closed the channel
        }
        return dispatched;
    }

    /** Ends every watch and closes the selector; the loop is terminating. */
    void closeAll() {
        Selector current = selector;
        if (current == null) {
            return;
        }
        for (SelectionKey key : current.keys()) {
            for (IoWatch watch : watchesOf(key)) {
                watch.deactivate();
            }
        }
        try {
            current.close();
        } catch (IOException e) {
            loop.report("closing its selector failed", e);
        }
    }

    private Selector openSelector() throws IOException {
        Selector current = selector;
        if (current == null) {
            current = Selector.open();
            selector = current;
        }
        return current;
    }

    private void updateInterest(SelectionKey key, List<IoWatch> watches) {
        int interest = 0;
        for (IoWatch watch : watches) {
            interest |= watch.ops;
        }
        try {
            if (interest == 0) {
                key.cancel();
                deregistrationPending = true;
            } else if (interest != key.interestOps()) {
                key.interestOps(interest);
            }
        } catch (CancelledKeyException closed) {
            // The channel was closed; its key is gone with it.
        }
    }

    @SuppressWarnings("unchecked")
    private static List<IoWatch> watchesOf(SelectionKey key) {
        return (List<IoWatch>) key.attachment();
    }

    private void park(long waitNanos) {
        if (waitNanos <= 0) {
            return;
        }
        boolean managed = ManagedBlocking.begin(); // as for select, above
        try {
            if (waitNanos == Long.MAX_VALUE) {
                java.util.concurrent.locks.LockSupport.park(loop);
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(loop, waitNanos);
            }
        } finally {
            ManagedBlocking.end(managed);
        }
    }
}
