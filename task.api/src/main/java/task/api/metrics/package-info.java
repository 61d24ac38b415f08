/**
 * Snapshots of the runtime's metrics, read through
 * {@link task.api.TaskInspector#stats()} (the shell's {@code task:stats}, the
 * Web Console page) and published as JMX MBeans under the domain
 * {@code task.runtime}. Every type here is an immutable value; nothing is
 * null.
 */
@Export
@Version("1.0.0")
package task.api.metrics;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
