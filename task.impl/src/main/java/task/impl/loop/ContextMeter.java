package task.impl.loop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.jctools.queues.varhandle.MpmcVarHandleArrayQueue;

import task.api.metrics.ContextStats;
import task.impl.metrics.Histogram;
import task.impl.metrics.TaskMetrics;

/**
 * What a context measures of itself for {@link ContextStats}: the lag from
 * an event's post to the start of its run, and the time spent dispatching.
 * The rest of this comment is the {@link EventLoop}'s use; an
 * {@link ExecutorContext} samples the lag of its handed runnables the same
 * way ({@link #sample()}, {@link #arrived(long, long)}) and adds each
 * outermost dispatch's time on the executor's thread
 * ({@link #addBusyShared}, atomic, since an executor may have several).
 * <p>
 * <b>Lag</b> is sampled, so that a post costs one random draw: one post in
 * {@value TaskMetrics#TIMED_ONE_IN}, chosen at random in the posting thread
 * ({@link #sampled}), is queued wrapped in a {@link Timed} that carries its
 * posting time. The driver unwraps every event it takes ({@link #arrived}),
 * which for a wrapper records {@code now - posted} in the histogram and
 * gives the wrapper back to a pool of free ones; the wrapped event then runs
 * as if it had been queued itself. Wrappers are reused so that the sampled
 * posts allocate nothing once the pool holds as many as are queued at once
 * (one in 16 of a backlog); a wrapper dropped with its queue (a closed
 * loop's rejected posts) is left to the collector, and the pool makes a new
 * one when it is empty. Happens-before: the pool's poll, the poster's writes
 * of the fields, the queue's offer and the driver's poll, its reads and its
 * clearing of the event, the pool's offer: each JCTools queue's offer
 * releases and its poll acquires.
 * <p>
 * <b>Busy time</b> is the sum, over the iterations that dispatched
 * something, of the time from the end of the iteration's wait to the end
 * of its dispatches (I/O callbacks, timer ticks, posted events): the loop
 * reads the clock at that start anyway, for its timers, so it costs one
 * more clock read per dispatching iteration, not per event. An iteration
 * still running (a stalled callback) is counted when it ends. Nested
 * iterations (a callback driving its own context) are counted once, in the
 * outermost.
 * <p>
 * Threading: {@link #sampled} from any thread; {@link #arrived} and
 * {@link #addBusy} on the loop's driver only (one thread at a time, each
 * hand-over of the driver a happens-before edge), so the busy total has a
 * single writer, which publishes it with opaque stores; {@link #stats}
 * from any thread, approximate while the loop runs.
 */
final class ContextMeter {
    private static final VarHandle BUSY;

    static {
        try {
            BUSY = MethodHandles.lookup().findVarHandle(ContextMeter.class, "busyNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The free wrappers, shared by every context: a bounded queue, since
     * wrappers are taken by posters on any thread and given back by
     * drivers. {@value #POOLED} cover the sampled posts of a backlog of
     * 4,096 events.
     */
    private static final MpmcVarHandleArrayQueue<Timed> FREE = new MpmcVarHandleArrayQueue<>(ContextMeter.POOLED);
    /** The most free wrappers kept. */
    static final int POOLED = 256;

    /** What {@link #sample()} returns for a post it did not sample. */
    static final long NOT_SAMPLED = Long.MIN_VALUE;

    private final Histogram lag = new Histogram();
    /** Written by the driver only (or atomically); see the class comment. */
    private long busyNanos;

    /**
     * @return the time now one time in {@value TaskMetrics#TIMED_ONE_IN}, at
     *         random, else {@link #NOT_SAMPLED}; any thread
     */
    long sample() {
        return TaskMetrics.sampled() ? System.nanoTime() : NOT_SAMPLED;
    }

    /**
     * Records a sampled lag.
     *
     * @param postedNanos what {@link #sample()} returned at the post
     * @param nowNanos the start of the run
     */
    void arrived(long postedNanos, long nowNanos) {
        if (postedNanos != NOT_SAMPLED) {
            lag.record(nowNanos - postedNanos);
        }
    }

    /**
     * @param event an event about to be queued; not null
     * @return the event, or one time in {@value TaskMetrics#TIMED_ONE_IN} the
     *         event wrapped with the time now; any thread
     */
    Runnable sampled(Runnable event) {
        long posted = sample();
        if (posted == NOT_SAMPLED) {
            return event;
        }
        Timed timed = FREE.relaxedPoll();
        if (timed == null) {
            timed = new Timed();
        }
        timed.event = event;
        timed.postedNanos = posted;
        timed.meter = this;
        return timed;
    }

    /**
     * On the driver, as it takes an event from its queue to run it.
     *
     * @param taken what the queue held; not null
     * @return the event to run: {@code taken}, or the event a sampled post
     *         wrapped, whose lag is then recorded
     */
    static Runnable arrived(Runnable taken) {
        if (!(taken instanceof Timed)) {
            return taken;
        }
        Timed timed = (Timed) taken;
        Runnable event = timed.event;
        timed.meter.arrived(timed.postedNanos, System.nanoTime());
        // Cleared so that a free wrapper holds on to no event (nor, through
        // it, to a stopped bundle's classes) and to no context.
        timed.event = null;
        timed.meter = null;
        FREE.relaxedOffer(timed); // a full pool drops it
        return event;
    }

    /** @param nanos one iteration's dispatching time; on the driver */
    void addBusy(long nanos) {
        BUSY.setOpaque(this, busyNanos + nanos);
    }

    /** @param nanos one dispatch's time; from any thread (an atomic add) */
    void addBusyShared(long nanos) {
        BUSY.getAndAdd(this, nanos);
    }

    /**
     * @param name the context's name
     * @param pending its pending events now
     * @return the statistics so far; any thread
     */
    ContextStats stats(String name, int pending) {
        return new ContextStats(name, pending, lag.snapshot(), (long) BUSY.getOpaque(this));
    }

    /**
     * A sampled post: the event and when it was posted, set by
     * {@link #sampled} and cleared by {@link #arrived} (see the class
     * comment for their publication). It runs the event if run as is
     * (without {@link #arrived}), so that any path taking it from the queue
     * runs what was posted.
     */
    private static final class Timed implements Runnable {
        Runnable event;
        long postedNanos;
        ContextMeter meter;

        @Override
        public void run() {
            arrived(this).run();
        }
    }
}
