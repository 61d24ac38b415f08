package task.plugins.listener;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * One bound, listening, non-blocking server socket of a {@link NetListener}.
 * Its local address is read once, at bind time, so that it stays readable
 * after the socket is closed (as upstream caches it). For a UNIX-domain
 * socket, the identity of the socket file that binding created is read at
 * the same time, so that {@link #close()} removes that file and nothing
 * that was put at its path later.
 * <p>
 * Threading: {@link #close()} is called exactly once, by whoever retires
 * the socket (the listener's disconnect, or a failed open); the fields are
 * final.
 */
final class ListeningSocket {

    final ServerSocketChannel channel;
    final SocketAddress localAddress;
    /** The socket file this socket's bind created; null for an internet socket, or if it could not be read. */
    private final FileIdentity socketFile;

    private ListeningSocket(ServerSocketChannel channel, SocketAddress localAddress, FileIdentity socketFile) {
        this.channel = channel;
        this.localAddress = localAddress;
        this.socketFile = socketFile;
    }

    /**
     * Wraps a channel just bound: reads its local address and, for a
     * UNIX-domain socket, the identity of the file at its path. Someone
     * could replace that file between the bind and this read; nothing can
     * close that window, and it only costs the removal at close (the
     * replacement is then taken for ours and removed). A file that cannot
     * be identified does not fail the bind (the socket works); it is left
     * in place at close, since nothing proves it is ours then.
     */
    static ListeningSocket bound(ServerSocketChannel channel) throws IOException {
        SocketAddress local = channel.getLocalAddress();
        FileIdentity file = null;
        if (local instanceof UnixDomainSocketAddress) {
            try {
                file = FileIdentity.of(((UnixDomainSocketAddress) local).getPath());
            } catch (IOException unreadable) {
                NetListener.log(Level.WARNING, () -> "listener: cannot identify the socket file of "
                        + Addresses.format(local) + "; it will not be removed at close", unreadable);
            }
        }
        return new ListeningSocket(channel, local, file);
    }

    /**
     * Closes the channel and, for a UNIX-domain socket, removes the socket
     * file that binding created (as QEMU's {@code socket_listen_cleanup}),
     * but only if the file at the path is still that one: a file someone
     * put there since (after removing ours, or by renaming theirs over it)
     * is left alone. NIO releases the descriptor of a channel still
     * registered with a selector only when that selector next polls; the
     * channel itself is closed (accepts nothing) when this returns.
     */
    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            NetListener.log(Level.WARNING, () -> "listener: closing " + Addresses.format(localAddress) + " failed", e);
        }
        if (localAddress instanceof UnixDomainSocketAddress) {
            removeSocketFile(((UnixDomainSocketAddress) localAddress).getPath());
        }
    }

    private void removeSocketFile(Path path) {
        try {
            if (socketFile == null) {
                NetListener.log(Level.WARNING, () -> "listener: the socket file " + Addresses.format(localAddress)
                        + " could not be identified when it was bound; it is left in place", null);
                return;
            }
            FileIdentity now = FileIdentity.of(path);
            // The file could still be replaced between this check and the delete: POSIX has no
            // "unlink if still this inode". The window is a few system calls wide.
            if (socketFile.equals(now)) {
                Files.delete(path);
            } else {
                NetListener.log(Level.DEBUG, () -> "listener: " + Addresses.format(localAddress)
                        + " is no longer the socket file it bound; it is left in place", null);
            }
        } catch (NoSuchFileException gone) {
            // someone removed it already: nothing of ours is left there
        } catch (IOException e) {
            NetListener.log(Level.WARNING, () -> "listener: removing " + Addresses.format(localAddress) + " failed",
                    e);
        }
    }

    @Override
    public String toString() {
        return Addresses.format(localAddress);
    }

    /**
     * Which file sits at a path: its file key ((device, inode) on Linux)
     * and its modification time. A file key alone names a file only while
     * it exists: once our socket file is removed, a new file may get the
     * same inode number; the modification time (set by bind, not touched
     * by connecting clients) tells such a successor apart as well.
     */
    private static final class FileIdentity {
        private final Object key;
        private final FileTime modified;

        private FileIdentity(Object key, FileTime modified) {
            this.key = key;
            this.modified = modified;
        }

        /** @return the identity, or null where the platform has no file keys */
        static FileIdentity of(Path path) throws IOException {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            Object key = attributes.fileKey();
            return key == null ? null : new FileIdentity(key, attributes.lastModifiedTime());
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof FileIdentity && key.equals(((FileIdentity) other).key)
                    && modified.equals(((FileIdentity) other).modified);
        }

        @Override
        public int hashCode() {
            return Objects.hash(key, modified);
        }
    }
}
