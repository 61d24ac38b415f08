package task.api.metrics;

/**
 * The thread runner now.
 *
 * @param virtualThreads whether workers that find the platform threads waiting run on virtual threads
 * @param threads the runner's threads alive: its platform threads and the virtual ones running jobs
 * @param busy the threads running a job
 * @param queued the jobs waiting for a thread (with virtual threads, only while the platform ones compute)
 */
public record RunnerStats(boolean virtualThreads, int threads, int busy, int queued) {
}
