package task.impl.loop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

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
 * <p>
 * Selections hand each ready key to {@link #collect} ({@code select(Consumer)},
 * JDK 11) instead of adding it to the selector's selected-key set, a
 * {@code HashSet}: at one event per key, the set's node, its iterator and
 * its removal were a third of what a loop serving many sockets allocated.
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
    /** The keys the selections found ready and not yet dispatched; the driving thread only. */
    private final ArrayList<SelectionKey> ready = new ArrayList<>();
    /** Adds a key a selection found ready to {@link #ready}; made once. */
    private final Consumer<SelectionKey> collect = ready::add;

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
                // flush it so that the channel can be registered anew. The
                // keys this finds ready are found again by the next
                // selection (readiness is level-triggered).
                open.selectNow(flushed -> { });
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
        // Keys left from a selection whose dispatch nests this one: found
        // again below if still ready, so none is dispatched twice.
        ready.clear();
        Selector current = selector;
        if (current == null || waitNanos <= 0 || deregistrationPending) {
            if (current == null) {
                park(waitNanos);
                return;
            }
            deregistrationPending = false;
            current.selectNow(collect);
        } else {
            // A blocking wait: a platform worker of a full pool driving a
            // context (iterate(true)) may wait for one of the pool's own
            // jobs, so a stand-in thread may run meanwhile; nothing is done
            // on a context's own thread, which is no worker.
            boolean managed = ManagedBlocking.begin();
            try {
                if (waitNanos == Long.MAX_VALUE) {
                    current.select(collect);
                } else {
                    // Round up: waking early costs an iteration, waking late delays a timer.
                    current.select(collect, Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999)));
                }
            } finally {
                ManagedBlocking.end(managed);
            }
        }
    }

    /**
     * Runs the callbacks of the watches the last {@link #await} found ready.
     * Each key is taken off {@link #ready} before its callbacks run (last
     * found first; a selection's order is the kernel's anyway); a callback
     * that drives this loop again nests a selection, which starts afresh
     * (see {@link #await}) and dispatches what is still ready, so no key is
     * dispatched twice for one readiness.
     *
     * @return true if a callback ran
     */
    boolean dispatchReady() {
        boolean dispatched = false;
        while (!ready.isEmpty()) {
            dispatched |= dispatch(ready.remove(ready.size() - 1));
        }
        return dispatched;
    }

    private boolean dispatch(SelectionKey key) {
        List<IoWatch> watches = watchesOf(key);
        boolean dispatched = false;
        if (watches.size() == 1) {
            dispatched = dispatch(key, watches, watches.get(0)) > 0; // the usual case: no copy
        } else {
            // Callbacks may add or remove watches on this channel: iterate a copy.
            for (IoWatch watch : watches.toArray(new IoWatch[0])) {
                int outcome = dispatch(key, watches, watch);
                if (outcome < 0) {
                    break;
                }
                dispatched |= outcome > 0;
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

    /**
     * Runs {@code watch}'s callback if its channel is ready for what it
     * watches, and takes it off {@code watches} if it ends.
     *
     * @return 1 if the callback ran, 0 if not, -1 if the key was cancelled (the channel closed)
     */
    private int dispatch(SelectionKey key, List<IoWatch> watches, IoWatch watch) {
        int readyOps;
        try {
            readyOps = key.readyOps() & watch.ops;
        } catch (CancelledKeyException closed) {
            return -1;
        }
        if (readyOps == 0 || !watch.isActive()) {
            return 0;
        }
        if (!loop.runCallback(watch, readyOps) && watch.deactivate()) {
            watches.remove(watch);
        }
        return 1;
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
        for (int i = 0; i < watches.size(); i++) {
            interest |= watches.get(i).ops;
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
