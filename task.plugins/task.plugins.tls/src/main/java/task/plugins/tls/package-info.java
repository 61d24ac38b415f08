/**
 * A TLS handshake as a task: the counterpart of QEMU's
 * {@code qio_channel_tls_handshake}, on a non-blocking
 * {@link javax.net.ssl.SSLEngine} driven by I/O watches on an
 * {@link task.api.EventContext} instead of GnuTLS on a GIOChannel.
 * {@link task.plugins.tls.TlsHandshake} secures an open, connected
 * {@link java.nio.channels.SocketChannel} as a client or as a server, or
 * connects (with the connector bundle) and then secures, as one cancellable
 * task; the task completes with a {@link task.plugins.tls.TlsChannel} or
 * with an error naming the peer and the TLS alert or cause. The operation
 * {@code tls-connect HOST:PORT [TIMEOUT_MS] [TRUST]} offers the last to the
 * shell and to any caller of the operation service.
 * <p>
 * Unless a method says otherwise, every parameter and return value in this
 * package is non-null.
 */
@Export
@Version("1.0.0")
package task.plugins.tls;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
