package task.api.metrics;

/**
 * The thread runner now.
 *
 * @param virtualThreads whether workers run on virtual threads
 * @param threads the runner's threads alive (platform pool), or the virtual threads running jobs
 * @param busy the threads running a job
 * @param queued the jobs waiting for a thread (always 0 with virtual threads)
 */
public record RunnerStats(boolean virtualThreads, int threads, int busy, int queued) {
}
