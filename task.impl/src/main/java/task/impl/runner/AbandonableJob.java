package task.impl.runner;

import java.util.concurrent.RejectedExecutionException;

/**
 * A job that must learn it will never run, so that the task behind it still
 * ends: the platform pool hands its never-started jobs back when it stops.
 */
public interface AbandonableJob extends Runnable {

    /**
     * Called instead of {@link #run()}, at most once, when the runner stops
     * before the job started.
     *
     * @param why the reason, naming the runner
     */
    void abandon(RejectedExecutionException why);
}
