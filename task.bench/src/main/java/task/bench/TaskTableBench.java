package task.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import task.api.Task;
import task.impl.TaskRuntime;

/**
 * Task creation and finishing from several threads at once, into one
 * runtime's task table: each operation creates a task, sets its result and
 * completes it directly, so the table's add and remove (and the id, the
 * counts) are most of its cost. Run with {@code -t 1}, {@code -t 2} and
 * more: total operations per second, threads together; a table behind one
 * lock stops growing (or falls) with threads, a striped one grows with the
 * cores there are.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TaskTableBench {
    private TaskRuntime runtime;

    @Setup
    public void setUp() {
        runtime = TaskRuntime.builder().name("task-table").start();
    }

    @TearDown
    public void tearDown() {
        runtime.close();
    }

    @Benchmark
    public Task<Object, String> createAndFinish() {
        Task<Object, String> task = runtime.tasks().<Object, String>builder(this, t -> { }).create();
        task.setResult("r");
        task.complete();
        return task;
    }
}
