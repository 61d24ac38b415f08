/**
 * Listening sockets as the port of QEMU's {@code QIONetListener}, on NIO.
 * {@link task.plugins.listener.NetListener} opens non-blocking listening
 * sockets (TCP and UNIX-domain) on every address a name resolves to and
 * hands each accepted client to a {@link task.plugins.listener.ClientHandler}
 * on an event context, through the context's I/O watches.
 * {@link task.plugins.listener.ListenOperation} offers an echo service built
 * on it as the operation {@code listen HOST:PORT [BACKLOG]}; its result is an
 * {@link task.plugins.listener.EchoListener}.
 * <p>
 * Unless a method says otherwise, every parameter and return value in this
 * package is non-null, and passing null throws {@link NullPointerException}
 * naming the parameter.
 */
@Export
@Version("1.0.0")
package task.plugins.listener;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
