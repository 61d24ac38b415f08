package task.plugins.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import task.testing.LogCapture;

/**
 * Issue 9: disconnecting a UNIX-domain listener removes the socket file its
 * bind created, and only that file. Whatever was put at the path after the
 * bind (a regular file, another program's socket) stays.
 * <p>
 * A replacement is always created before it is moved over the socket file,
 * so it cannot be given the socket file's freed inode number.
 */
@Timeout(60)
class UnixSocketFileTest {

    @Test
    void disconnectRemovesTheSocketFileItCreated(@TempDir Path directory) throws Exception {
        Path path = directory.resolve("ours.sock");
        try (LogCapture log = new LogCapture("task.plugins.listener")) {
            NetListener listener = new NetListener("ours");
            listener.open(UnixDomainSocketAddress.of(path), 4);
            assertTrue(Files.exists(path));
            listener.disconnect();
            assertFalse(Files.exists(path), "the listener's own socket file is removed");
            assertEquals(List.of(), log.others(), "warnings");
        }
    }

    @Test
    void disconnectLeavesARegularFilePutAtThePathAfterTheBind(@TempDir Path directory) throws Exception {
        Path path = directory.resolve("replaced.sock");
        NetListener listener = new NetListener("replaced by a file");
        listener.open(UnixDomainSocketAddress.of(path), 4);
        Path foreign = Files.writeString(directory.resolve("foreign.txt"), "not the listener's");
        Files.move(foreign, path, StandardCopyOption.REPLACE_EXISTING);

        listener.disconnect();

        assertTrue(Files.isRegularFile(path), "the file put at the path stays");
        assertEquals("not the listener's", Files.readString(path));
    }

    @Test
    void disconnectLeavesAnotherSocketRenamedOverThePath(@TempDir Path directory) throws Exception {
        Path path = directory.resolve("shared.sock");
        NetListener listener = new NetListener("replaced by a socket");
        listener.open(UnixDomainSocketAddress.of(path), 4);
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Path otherPath = directory.resolve("other.sock");
            other.bind(UnixDomainSocketAddress.of(otherPath));
            Files.move(otherPath, path, StandardCopyOption.REPLACE_EXISTING);

            listener.disconnect();

            assertTrue(Files.exists(path), "the other socket's file stays");
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path));
                    SocketChannel accepted = other.accept()) {
                assertTrue(client.isConnected() && accepted.isConnected(), "the path still reaches the other socket");
            }
        }
    }

    @Test
    void disconnectAfterTheSocketFileWasRemovedLeavesNothingAndReportsNothing(@TempDir Path directory)
            throws Exception {
        Path path = directory.resolve("removed.sock");
        try (LogCapture log = new LogCapture("task.plugins.listener")) {
            NetListener listener = new NetListener("removed");
            listener.open(UnixDomainSocketAddress.of(path), 4);
            Files.delete(path);

            listener.disconnect();

            assertFalse(Files.exists(path));
            assertEquals(List.of(), log.others(), "warnings");
        }
    }
}
