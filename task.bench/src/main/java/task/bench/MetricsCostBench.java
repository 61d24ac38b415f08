package task.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import task.api.EventContext;
import task.api.Task;
import task.impl.TaskRuntime;

/**
 * What the metrics cost on one thread, where the machine's scheduling noise
 * (which swamps a few percent in {@link ThroughputBench} on two cores) does
 * not reach: {@link #directTask} creates a task, sets its result and
 * completes it directly (its callback runs in the caller), so it pays the
 * per-task counts and nothing of the pool; {@link #postAndIterate} posts
 * one event to a caller-driven context and runs it with one iteration, so
 * it pays the context's lag sampling and busy time for an iteration of one
 * event, their worst case. Compare {@code metrics=true} with {@code false}
 * (the counts) and a build without context statistics (the context's part).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsCostBench {
    @Param({ "true", "false" })
    public boolean metrics;

    private TaskRuntime runtime;
    private EventContext driven;
    private long ran;

    @Setup
    public void setUp() {
        runtime = TaskRuntime.builder().name("metrics-cost").metrics(metrics).start();
        driven = runtime.contexts().create("metrics-cost-driven");
    }

    @TearDown
    public void tearDown() {
        driven.close();
        runtime.close();
    }

    @Benchmark
    public Task<Object, String> directTask() {
        Task<Object, String> task = runtime.tasks().<Object, String>builder(this, t -> ran++).create();
        task.setResult("r");
        task.complete();
        return task;
    }

    @Benchmark
    public long postAndIterate() {
        driven.post(() -> ran++);
        driven.iterate(false);
        return ran;
    }
}
