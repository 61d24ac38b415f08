package task.api.metrics;

import java.util.List;

/**
 * The runtime's metrics at one moment: tasks counted per owner and per
 * operation since the runtime started, its contexts and its runner. Counts
 * of a bundle that stopped are kept (they say what it did); those of a
 * context that closed are not.
 *
 * @param owners the counts per owner bundle (or plain-Java owner name), sorted by name
 * @param operations the counts per operation ({@code task.api.spi}), sorted by
 *        name; tasks no operation created are counted under their owner only
 * @param contexts the open contexts, sorted by name
 * @param runner the thread runner
 */
public record TaskStats(List<TaskCounts> owners, List<TaskCounts> operations, List<ContextStats> contexts,
        RunnerStats runner) {

    /**
     * Copies the lists, so that the snapshot cannot change.
     *
     * @param owners as the component says, not null
     * @param operations as the component says, not null
     * @param contexts as the component says, not null
     * @param runner as the component says, not null
     */
    public TaskStats {
        owners = List.copyOf(owners);
        operations = List.copyOf(operations);
        contexts = List.copyOf(contexts);
        java.util.Objects.requireNonNull(runner, "runner");
    }
}
