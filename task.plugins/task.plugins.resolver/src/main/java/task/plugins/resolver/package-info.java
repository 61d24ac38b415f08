/**
 * Name resolution as a task: the port of QEMU's {@code QIODNSResolver}.
 * {@link task.plugins.resolver.NameResolver} resolves a socket address to
 * numeric addresses, synchronously or in the thread runner with completion
 * on an event context; {@code ResolveOperation} offers it to the shell and
 * to any caller of the operation service as {@code resolve HOST [PORT] [FAMILY]}.
 */
@Export
@Version("1.0.0")
package task.plugins.resolver;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
