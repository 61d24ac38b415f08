package task.plugins.listener;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;

/**
 * One bound, listening, non-blocking server socket of a {@link NetListener}.
 * Its local address is read once, at bind time, so that it stays readable
 * after the socket is closed (as upstream caches it).
 * <p>
 * Threading: {@link #close()} is called exactly once, by whoever retires
 * the socket (the listener's disconnect, or a failed open); the fields are
 * final.
 */
final class ListeningSocket {
    private static final System.Logger LOG = System.getLogger("task.plugins.listener");

    final ServerSocketChannel channel;
    final SocketAddress localAddress;

    ListeningSocket(ServerSocketChannel channel, SocketAddress localAddress) {
        this.channel = channel;
        this.localAddress = localAddress;
    }

    /**
     * Closes the channel and, for a UNIX-domain socket, removes the socket
     * file that binding created (as QEMU's {@code socket_listen_cleanup}).
     * NIO releases the descriptor of a channel still registered with a
     * selector only when that selector next polls; the channel itself is
     * closed (accepts nothing) when this returns.
     */
    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "listener: closing " + Addresses.format(localAddress) + " failed", e);
        }
        if (localAddress instanceof UnixDomainSocketAddress) {
            try {
                Files.deleteIfExists(((UnixDomainSocketAddress) localAddress).getPath());
            } catch (IOException e) {
                LOG.log(Level.WARNING, "listener: removing " + Addresses.format(localAddress) + " failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return Addresses.format(localAddress);
    }
}
