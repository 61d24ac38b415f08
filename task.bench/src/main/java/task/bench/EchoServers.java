package task.bench;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import task.api.EventContext;
import task.impl.TaskRuntime;
import task.plugins.listener.EchoListener;

/**
 * The three echo servers of the echo benchmark, each listening on
 * 127.0.0.1 (an ephemeral port) with the same backlog ({@value #BACKLOG})
 * and each on exactly one event-loop thread, which accepts the clients and
 * serves them all:
 * <ul>
 * <li>{@value #OURS}: the listener plugin's {@code listen} operation, run
 * through {@code runtime.operations()} as a user runs it: a {@code NetListener}
 * whose handler serves each client with read (and, under back-pressure,
 * write) watches on one event context;</li>
 * <li>{@value #NETTY}: Netty 4.2's echo example ({@code channelRead} writes,
 * {@code channelReadComplete} flushes) on a one-thread NIO event loop group;</li>
 * <li>{@value #VERTX}: a Vert.x 5 {@code NetServer} whose sockets write back
 * every buffer they receive, on a Vert.x with one event loop.</li>
 * </ul>
 */
final class EchoServers {
    static final String OURS = "ours";
    static final String NETTY = "netty";
    static final String VERTX = "vertx";
    static final int BACKLOG = 4096;
    private static final int START_SECONDS = 10;

    private EchoServers() {
    }

    /** A running echo server. */
    interface Server extends AutoCloseable {
        InetSocketAddress address();

        @Override
        void close();
    }

    static Server start(String name) throws Exception {
        switch (name) {
        case OURS:
            return new Ours();
        case NETTY:
            return new Netty();
        case VERTX:
            return new VertxEcho();
        default:
            throw new IllegalArgumentException("unknown echo server: " + name);
        }
    }

    /** The {@code listen} operation of the listener plugin, on one started context. */
    static final class Ours implements Server {
        private final TaskRuntime runtime;
        private final EventContext context;
        private final EchoListener listener;

        Ours() throws Exception {
            runtime = TaskRuntime.start();
            try {
                context = runtime.contexts().start("bench-echo");
                CompletableFuture<EchoListener> opened = new CompletableFuture<>();
                runtime.operations().start(runtime.tasks(), "listen", List.of("127.0.0.1:0", "" + BACKLOG),
                        context, task -> {
                            Throwable error = task.propagateError();
                            if (error != null) {
                                opened.completeExceptionally(error);
                            } else {
                                opened.complete((EchoListener) task.result());
                            }
                        });
                listener = opened.get(START_SECONDS, TimeUnit.SECONDS);
            } catch (Exception | Error e) {
                runtime.close();
                throw e;
            }
        }

        @Override
        public InetSocketAddress address() {
            return (InetSocketAddress) listener.addresses().get(0);
        }

        @Override
        public void close() {
            try {
                listener.disconnect();
                context.close();
            } finally {
                runtime.close();
            }
        }
    }

    /** Netty's echo server handler: write what is read, flush when a read burst ends. */
    @ChannelHandler.Sharable
    static final class NettyEchoHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Netty 4.2, one NIO event loop for accepting and serving. */
    static final class Netty implements Server {
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        private final Channel channel;

        Netty() throws InterruptedException {
            NettyEchoHandler echo = new NettyEchoHandler();
            try {
                channel = new ServerBootstrap()
                        .group(group)
                        .channel(NioServerSocketChannel.class)
                        .option(ChannelOption.SO_BACKLOG, BACKLOG)
                        .childHandler(echo)
                        .bind("127.0.0.1", 0).sync().channel();
            } catch (InterruptedException | RuntimeException e) {
                group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
                throw e;
            }
        }

        @Override
        public InetSocketAddress address() {
            return (InetSocketAddress) channel.localAddress();
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
            group.shutdownGracefully(0, START_SECONDS, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** A Vert.x 5 NetServer, one event loop; each socket writes back what it receives. */
    static final class VertxEcho implements Server {
        private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        private final NetServer server;

        VertxEcho() throws TimeoutException {
            try {
                server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0)
                        .setAcceptBacklog(BACKLOG))
                        .connectHandler(socket -> socket.handler(socket::write))
                        .listen().await(START_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException | RuntimeException e) {
                vertx.close();
                throw e;
            }
        }

        @Override
        public InetSocketAddress address() {
            return new InetSocketAddress("127.0.0.1", server.actualPort());
        }

        @Override
        public void close() {
            try {
                server.close().await(START_SECONDS, TimeUnit.SECONDS);
                vertx.close().await(START_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Vert.x did not close", e);
            }
        }
    }
}
