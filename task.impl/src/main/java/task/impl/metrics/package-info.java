/**
 * The runtime's metrics: counters and histograms the tasks, contexts and
 * runner record into, and their JMX MBeans. Not exported.
 */
package task.impl.metrics;
