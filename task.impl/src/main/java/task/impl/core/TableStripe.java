package task.impl.core;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * One stripe of the {@link TaskTable}: an array of slots guarded by this
 * stripe's monitor. Each task keeps its slot number, and freed slots are
 * reused last-in first-out, so adding and removing allocate nothing and
 * hash nothing; the array keeps the size of the largest number of the
 * stripe's tasks in flight at once. Listing and finding scan the slots in
 * use; they are rare.
 * <p>
 * The fields sit between two blocks of padding, laid out by inheritance
 * (HotSpot places a superclass's fields before a subclass's and may reorder
 * fields within a class, so padding declared in one class would not stay
 * around the fields): stripes are allocated one after another, and without
 * it one stripe's slots and the next one's lock word could share a cache
 * line, so that two cores working on different stripes would still take
 * that line from each other. The same device as JCTools' queues.
 */
final class TableStripe extends TableStripeFields {
    /** Padding after the fields; see the class comment. Never read. */
    long p10, p11, p12, p13, p14, p15, p16, p17;

    /**
     * Adds a task.
     *
     * @return its slot in this stripe
     */
    synchronized int add(TaskImpl<?, ?> task) {
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            if (used == slots.length) {
                slots = Arrays.copyOf(slots, used * 2);
                free = Arrays.copyOf(free, used * 2);
            }
            slot = used++;
        }
        slots[slot] = task;
        return slot;
    }

    /** Frees a slot {@link #add} returned; once per task. */
    synchronized void remove(int slot) {
        slots[slot] = null;
        free[freeCount++] = slot;
    }

    /** Adds to {@code into} this stripe's tasks that {@code matching} accepts (called under the monitor). */
    synchronized void collect(Predicate<TaskImpl<?, ?>> matching, List<TaskImpl<?, ?>> into) {
        for (int i = 0; i < used; i++) {
            TaskImpl<?, ?> task = slots[i];
            if (task != null && matching.test(task)) {
                into.add(task);
            }
        }
    }
}

/** Padding before a {@link TableStripe}'s fields; see its class comment. Never read. */
abstract class TableStripePadding {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** A {@link TableStripe}'s state, guarded by the stripe's monitor. */
abstract class TableStripeFields extends TableStripePadding {
    /** Slot i holds a task in flight, or null if free. */
    TaskImpl<?, ?>[] slots = new TaskImpl<?, ?>[16];
    /** The free slots below {@code used}, as a stack; as long as {@code slots}. */
    int[] free = new int[16];
    int freeCount;
    /** Slots at or above this were never used. */
    int used;
}
