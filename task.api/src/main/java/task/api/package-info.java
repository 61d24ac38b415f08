/**
 * The task contract: a port of QEMU's QIOTask to Java and OSGi.
 * <p>
 * A {@link task.api.Task} tracks one long or blocking operation on a source
 * object and reports its success or failure to a {@link task.api.TaskCallback}.
 * Work that cannot be made asynchronous runs in a {@link task.api.TaskWorker}
 * on the {@link task.api.ThreadRunner}; its completion is delivered on an
 * {@link task.api.EventContext}, a loop driven by one thread at a time.
 * Tasks are created through the {@link task.api.TaskService}.
 * <p>
 * Unless a method says otherwise, every parameter and return value in this
 * package is non-null, and passing null throws {@link NullPointerException}
 * naming the parameter.
 */
@Export
@Version("1.1.0")
package task.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
