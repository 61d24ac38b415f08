/**
 * Name resolution as a task: the port of QEMU's {@code QIODNSResolver}.
 * {@link task.plugins.resolver.NameResolver} resolves a socket address to
 * numeric addresses, synchronously or in the thread runner with completion
 * on an event context; {@link task.plugins.resolver.SocketAddresses} parses
 * and formats the socket addresses operations take as text (shared by the
 * other plugins); {@link task.plugins.resolver.AddressFamily} selects IPv4
 * or IPv6. The bundle's private {@code ResolveOperation} offers resolution
 * to the shell and to any caller of the operation service as
 * {@code resolve HOST [PORT] [FAMILY]}.
 * <p>
 * Unless a method says otherwise, parameters must not be null (a null is a
 * {@link java.lang.NullPointerException} naming the parameter) and return
 * values are never null. Every method may be called from any thread.
 */
@Export
@Version("1.0.0")
package task.plugins.resolver;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
