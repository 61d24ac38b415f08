package task.plugins.listener;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.junit.jupiter.api.Test;

import task.api.TaskService;
import task.impl.TaskRuntime;

/** The echo service owns each channel handed to it, even when it cannot serve it. */
class EchoServiceTest {

    @Test
    void aClientThatCannotBeServedIsClosed() throws Exception {
        TaskRuntime requester = TaskRuntime.start();
        TaskService gone = requester.tasks();
        requester.close(); // the requester's task service is released

        try (TaskRuntime runtime = TaskRuntime.start();
                ServerSocketChannel server = ServerSocketChannel.open().bind(Loopback.ipv4(0));
                SocketChannel peer = SocketChannel.open((InetSocketAddress) server.getLocalAddress())) {
            SocketChannel accepted = server.accept();
            EchoService echo = new EchoService(runtime.defaultContext(), gone);
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> echo.onClient(null, accepted));
            assertTrue(refused.getMessage().contains("has been released"), refused.getMessage());
            assertFalse(accepted.isOpen(), "the accepted channel is left open");
            assertTrue(peer.read(java.nio.ByteBuffer.allocate(1)) < 0, "the peer sees no end of stream");
        }
    }
}
