package task.impl.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import task.api.EventContext;
import task.api.EventSource;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskGroup;
import task.api.TaskService;

/**
 * A {@link TaskGroup}: makes its tasks through its owner's factory (so they
 * belong to the owner), keeps the ones in flight, cancels them together.
 *
 * <h2>State</h2>
 * OPEN -> CANCELLED (cancel, a failure with cancel-on-failure, the deadline,
 * the parent's cancel) and, from either, CLOSED (close: cancels, refuses new
 * tasks). Flags only go up. Guarded by {@code this}: the flags, the members,
 * the children, the in-flight count and the deadline timer. Cancelling takes
 * a snapshot under the lock and cancels outside it (a task's cancel runs
 * hooks), so no lock of ours is held while user code runs.
 *
 * <h2>Members</h2>
 * A task joins after its creation and leaves from its cleanup, which runs
 * exactly once when it finishes (or is disposed). A {@link Member} records
 * both under the group's lock, so a task that ends before it joined (its
 * owner released at once) never joins. The in-flight count of a group
 * includes its nested groups' tasks: joining and leaving update every group
 * up to the root (locks taken child first, then parent, never the other
 * way), and a count reaching zero wakes {@link #awaitAll} waiters. Joining happens-before leaving for one
 * task (the same lock), and a task's last cleanup happens-before the waiter
 * that sees the count at zero returns.
 */
final class TaskGroupImpl implements TaskGroup, TaskCreator {
    private final TaskFactory factory;
    private final TaskGroupImpl parent;
    private final String name;
    private final GroupTasks tasks = new GroupTasks(this);

    // guarded by this
    private final Set<Member> members = new LinkedHashSet<>();
    private final List<TaskGroupImpl> children = new ArrayList<>();
    private int inFlight;
    private boolean cancelled;
    /** Why it was cancelled, for the tasks created afterwards. */
    private String cancelledBecause;
    private boolean closed;
    private boolean cancelOnFailure;
    private EventSource deadlineTimer;

    TaskGroupImpl(TaskFactory factory, TaskGroupImpl parent, String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.contains("/")) {
            throw new IllegalArgumentException("task group: name must be non-blank without '/', got '" + name + "'");
        }
        this.factory = factory;
        this.parent = parent;
        this.name = parent == null ? name : parent.name + "/" + name;
    }

    /** One task of the group, from its creation to its cleanup; guarded by the group. */
    private static final class Member {
        Task<?, ?> task;
        boolean joined;
        boolean left;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TaskService tasks() {
        return tasks;
    }

    /** A nested group, from {@code tasks().group(name)}. */
    TaskGroup child(String childName) {
        TaskGroupImpl child = new TaskGroupImpl(factory, this, childName);
        String cancelNow;
        synchronized (this) {
            refuseIfClosed();
            children.add(child);
            cancelNow = cancelled ? cancelledBecause : null;
        }
        if (cancelNow != null) {
            child.cancel(cancelNow);
        }
        return child;
    }

    @Override
    public synchronized TaskGroup cancelOnFailure() {
        cancelOnFailure = true;
        return this;
    }

    @Override
    public TaskGroup deadline(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("task group '" + name + "': deadline must be positive, got " + timeout);
        }
        EventSource timer = factory.defaultContext().schedule(timeout,
                () -> cancel("deadline of " + timeout + " passed"));
        EventSource replaced;
        boolean over;
        synchronized (this) {
            over = cancelled;
            replaced = deadlineTimer;
            deadlineTimer = over ? null : timer;
        }
        if (replaced != null) {
            replaced.cancel();
        }
        if (over) {
            timer.cancel();
        }
        return this;
    }

    @Override
    public boolean cancel(String reason) {
        List<Member> cancelling;
        List<TaskGroupImpl> nested;
        EventSource timer;
        String why = "group '" + name + "' was cancelled" + (reason == null ? "" : ": " + reason);
        synchronized (this) {
            if (cancelled) {
                return false;
            }
            cancelled = true;
            cancelledBecause = why;
            cancelling = new ArrayList<>(members);
            nested = new ArrayList<>(children);
            timer = deadlineTimer;
            deadlineTimer = null;
        }
        if (timer != null) {
            timer.cancel();
        }
        for (Member member : cancelling) {
            member.task.cancel(true, why);
        }
        for (TaskGroupImpl child : nested) {
            child.cancel(why);
        }
        return true;
    }

    @Override
    public synchronized boolean isCancelled() {
        return cancelled;
    }

    @Override
    public boolean awaitAll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    @Override
    public void close() {
        List<TaskGroupImpl> nested;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            nested = new ArrayList<>(children);
        }
        cancel("group closed");
        nested.forEach(TaskGroupImpl::close);
    }

    // ------------------------------------------------------------------ making tasks

    @Override
    public <S, R> Task<S, R> create(S source, TaskCallback<S, R> callback, Runnable cleanup, String taskName,
            EventContext context) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(callback, "callback");
        try {
            synchronized (this) {
                refuseIfClosed();
            }
        } catch (IllegalStateException closedGroup) {
            throw factory.refused(cleanup, closedGroup); // the cleanup was handed over, as to the factory
        }
        Member member = new Member();
        TaskCallback<S, R> watched = done -> {
            if (done instanceof TaskImpl && ((TaskImpl<?, ?>) done).failedOnItsOwn()) {
                failed(done);
            }
            callback.onComplete(done);
        };
        Runnable leave = () -> {
            left(member);
            if (cleanup != null) {
                cleanup.run();
            }
        };
        Task<S, R> task = factory.create(source, watched, leave, taskName, context, name);
        String cancelNow;
        synchronized (this) {
            member.task = task;
            cancelNow = join(member) ? cancelledBecause : null;
        }
        if (cancelNow != null) {
            task.cancel(true, cancelNow);
        }
        return task;
    }

    @Override
    public EventContext defaultContext() {
        return factory.defaultContext();
    }

    /** Under this lock: adds the member unless it already left; @return whether the group is cancelled. */
    private boolean join(Member member) {
        if (!member.left) {
            member.joined = true;
            members.add(member);
            for (TaskGroupImpl g = this; g != null; g = g.parent) {
                g.countIn(+1);
            }
        }
        return cancelled;
    }

    private void left(Member member) {
        boolean counted;
        synchronized (this) {
            member.left = true; // ended before it joined (its owner released at once): it never will
            counted = member.joined && members.remove(member);
        }
        if (counted) {
            for (TaskGroupImpl g = this; g != null; g = g.parent) {
                g.countIn(-1);
            }
        }
    }

    private void countIn(int delta) {
        synchronized (this) {
            inFlight += delta;
            if (inFlight == 0) {
                notifyAll();
            }
        }
    }

    /** A task of this group, or of a nested one, failed. */
    private void failed(Task<?, ?> task) {
        for (TaskGroupImpl g = this; g != null; g = g.parent) {
            boolean cancelIt;
            synchronized (g) {
                cancelIt = g.cancelOnFailure;
            }
            if (cancelIt) {
                g.cancel("task '" + task.name() + "' failed");
            }
        }
    }

    private void refuseIfClosed() {
        if (closed) {
            throw new IllegalStateException("task group '" + name + "' is closed");
        }
    }

    @Override
    public String toString() {
        return "TaskGroup[" + name + "]";
    }
}
