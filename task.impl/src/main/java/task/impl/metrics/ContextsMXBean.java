package task.impl.metrics;

import java.util.List;

/**
 * The JMX view of the runtime's open contexts
 * ({@code task.runtime:type=Contexts,runtime=<n>}): one row per context, as
 * {@link task.api.metrics.ContextStats}. Contexts come and go with their
 * owners, so they are rows of one bean rather than beans of their own,
 * which would outlive a context nobody closed through the runtime. Each
 * read takes a fresh snapshot; any thread. Public for JMX only.
 */
public interface ContextsMXBean {
    /** @return the open contexts, sorted by name; a JMX client sees an array of composite data */
    List<ContextRow> getContexts();

    /** One context's row; the durations in nanoseconds. */
    interface ContextRow {
        /** @return the context's name */
        String getName();

        /** @return events waiting to run */
        int getPending();

        /** @return posts whose lag was sampled (about one in 16) */
        long getLagSamples();

        /** @return the median lag from post to run */
        long getLagMedianNanos();

        /** @return the 99th percentile of that lag */
        long getLagP99Nanos();

        /** @return the longest lag sampled */
        long getLagMaxNanos();

        /** @return the time spent dispatching since the context was created */
        long getBusyNanos();
    }
}
