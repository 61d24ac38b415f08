/**
 * Connecting as a task: the port of QEMU's {@code qio_channel_socket_connect_async},
 * on NIO and an event context instead of a worker thread.
 * {@link task.plugins.connector.Connector} resolves a socket address with
 * the resolver bundle, then tries each address in turn with a non-blocking
 * connect watched on an {@link task.api.EventContext}, under a per-attempt
 * and an overall timeout; the task completes with a
 * {@link task.plugins.connector.Connection} or with an error naming every
 * address tried. The operation {@code connect HOST:PORT [TIMEOUT_MS]} offers
 * it to the shell and to any caller of the operation service.
 * <p>
 * Unless a method says otherwise, every parameter and return value in this
 * package is non-null.
 */
@Export
@Version("1.0.0")
package task.plugins.connector;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
