package task.impl.core;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;

/**
 * One stripe of the {@link TaskTable}: slots that hold its tasks, taken by
 * one CAS and given back by one ordered store, with no lock. Adding and
 * removing are once per task on the hot path of every round trip; a lock
 * there cost two atomic instructions each (measured: the table's monitor
 * was a fifth of the event loop's samples in the throughput benchmark).
 * <p>
 * The slots sit in segments of {@value #SEGMENT} that are never moved or
 * freed, so that a slot's number stays valid while the stripe grows: the
 * segment array doubles (under this stripe's monitor, copied, then
 * published) and the old segments stay where they are. The capacity is
 * therefore a power of two, and a slot number is its index over all
 * segments.
 * <p>
 * State and happens-before:
 * <ul>
 * <li>A slot is null (free) or holds one task. {@link #add} writes the
 * task's {@code tableSlot} <em>before</em> the CAS from null to the task,
 * so anyone who reads the task from its slot (a disposer that then removes
 * it) also reads its slot number. Only the task's own removal empties its
 * slot.</li>
 * <li>{@link #remove} empties the slot by a release store after the task
 * has finished: a scan that reads null there (a volatile read) happens after
 * the task's cleanups, so an owner going away that does not see a task may
 * rely on it having finished.</li>
 * <li>A creator's CAS and an owner's {@code released} flag are volatile
 * accesses on both sides, and scans read slots with volatile reads, so the
 * rule of {@link TaskFactory} holds: a task created while its owner goes
 * away is either seen by the scan or sees {@code released}.</li>
 * <li>{@code cursor}, where the next search for a free slot starts, is a hint
 * read and written without synchronisation; a stale value only lengthens a
 * search.</li>
 * </ul>
 * A search looks at up to {@value #PROBES} slots from the cursor and grows
 * the stripe if all are taken, so the stripe keeps about twice as many
 * slots as its most tasks in flight at once. In the common pattern, tasks
 * made and finished roughly in order, the search finds the first slot it
 * looks at free.
 * <p>
 * The fields sit between two blocks of padding, laid out by inheritance
 * (HotSpot places a superclass's fields before a subclass's and may reorder
 * fields within a class, so padding declared in one class would not stay
 * around the fields): stripes are allocated one after another, and without
 * it one stripe's cursor and the next one's could share a cache line, so
 * that two cores working on different stripes would still take that line
 * from each other. The same device as JCTools' queues.
 */
final class TableStripe extends TableStripeFields {
    /** Padding after the fields; see the class comment. Never read. */
    long p10, p11, p12, p13, p14, p15, p16, p17;

    static final int SEGMENT_BITS = 6;
    /** Slots per segment. */
    static final int SEGMENT = 1 << SEGMENT_BITS;
    /** Slots a search looks at before it grows the stripe. */
    static final int PROBES = 16;

    /** @param maxSlots the most slots this stripe may grow to: {@link TaskTable#MAX_SLOTS}, or less in a test */
    TableStripe(int maxSlots) {
        super(maxSlots);
    }

    /**
     * Puts a task into a free slot, after writing into its
     * {@code tableSlot} the slot's number and {@code stripe} (see
     * {@link TaskTable#tableSlot}).
     *
     * @param task a task not yet in any stripe
     * @param stripe this stripe's number in its table
     * @throws IllegalStateException if the stripe holds as many tasks as a slot number can name
     */
    void add(TaskImpl<?, ?> task, int stripe) {
        for (;;) {
            Segment[] current = segments;
            int mask = (current.length << SEGMENT_BITS) - 1;
            int start = cursor;
            for (int probe = 0; probe < PROBES; probe++) {
                int slot = (start + probe) & mask;
                Segment segment = current[slot >>> SEGMENT_BITS];
                int index = slot & (SEGMENT - 1);
                if (segment.getPlain(index) == null) { // a plain look first: the CAS decides
                    task.tableSlot = TaskTable.tableSlot(slot, stripe);
                    if (segment.compareAndSet(index, null, task)) {
                        cursor = slot + 1;
                        return;
                    }
                }
            }
            grow(current);
        }
    }

    /** Empties the slot {@link #add} put a task into, once that task has finished; once per task. */
    void remove(int slot) {
        segments[slot >>> SEGMENT_BITS].setRelease(slot & (SEGMENT - 1), null);
    }

    /** Adds to {@code into} this stripe's tasks that {@code matching} accepts; a scan, not a snapshot. */
    void collect(Predicate<TaskImpl<?, ?>> matching, List<TaskImpl<?, ?>> into) {
        for (Segment segment : segments) {
            for (int i = 0; i < SEGMENT; i++) {
                TaskImpl<?, ?> task = segment.get(i);
                if (task != null && matching.test(task)) {
                    into.add(task);
                }
            }
        }
    }

    /** @return how many slots the stripe has, free or not */
    int capacity() {
        return segments.length << SEGMENT_BITS;
    }

    /**
     * Doubles the segments, unless another thread has already grown them
     * since {@code seen} was read; the search then starts in the new half.
     */
    private synchronized void grow(Segment[] seen) {
        if (segments != seen) {
            return;
        }
        int capacity = seen.length << SEGMENT_BITS;
        if (capacity * 2L > maxSlots) {
            throw new IllegalStateException("task table: more than " + capacity + " tasks in flight in one stripe");
        }
        Segment[] grown = Arrays.copyOf(seen, seen.length * 2);
        for (int i = seen.length; i < grown.length; i++) {
            grown[i] = new Segment();
        }
        cursor = capacity;
        segments = grown;
    }

    /** {@value #SEGMENT} slots. */
    @SuppressWarnings("serial") // never serialised
    static final class Segment extends AtomicReferenceArray<TaskImpl<?, ?>> {
        Segment() {
            super(SEGMENT);
        }
    }
}

/** Padding before a {@link TableStripe}'s fields; see its class comment. Never read. */
abstract class TableStripePadding {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** A {@link TableStripe}'s state; see its class comment for who writes what. */
abstract class TableStripeFields extends TableStripePadding {
    /** The slots, {@link TableStripe#SEGMENT} per segment; replaced (grown) only under the stripe's monitor. */
    volatile TableStripe.Segment[] segments = { new TableStripe.Segment() };
    /** Where the next search for a free slot starts; a hint, unsynchronised. */
    int cursor;
    /** The most slots the stripe may grow to; read only when it grows. */
    final int maxSlots;

    TableStripeFields(int maxSlots) {
        this.maxSlots = maxSlots;
    }
}
