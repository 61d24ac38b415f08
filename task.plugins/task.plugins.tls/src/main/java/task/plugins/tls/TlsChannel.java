package task.plugins.tls;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

import task.plugins.resolver.SocketAddresses;

/**
 * The result of a successful handshake: a secured channel (the socket, its
 * {@link SSLEngine} and the engine's buffers), read and written as a
 * {@link ByteChannel} of application data, and who owns it.
 * <p>
 * <b>Ownership.</b> The task owns the channel: the task's result cleanup
 * {@linkplain #close() closes} it when the task finishes, right after the
 * callback returns. A callback that wants to keep it calls {@link #take()},
 * which hands it over (the cleanup then leaves it open) and makes the caller
 * responsible for closing it. A callback that only needs it briefly (to read
 * the session, or to write a line) uses it and lets the task close it. This
 * is the rule of the connector's {@code Connection}.
 * <p>
 * <b>Mode.</b> The socket is connected and in non-blocking mode; the
 * handshake's watch is gone by the time the callback runs, so the socket may
 * be switched to blocking mode at once ({@code channel().configureBlocking(true)}),
 * or watched on any context. In non-blocking mode {@link #read} returns 0
 * when no whole record has arrived, and {@link #write} may leave encrypted
 * bytes buffered when the socket is full: call {@link #flush()} (for
 * example when an {@code OP_WRITE} watch fires) until it returns true. Never
 * read or write the socket itself: that would corrupt the TLS stream.
 * <p>
 * <b>After the handshake.</b> Post-handshake messages (TLS 1.3 session
 * tickets, key updates) are handled inside {@link #read}: an engine task
 * they need runs in the reading thread, and a reply is wrapped and sent
 * (in non-blocking mode it may stay buffered until the next {@code write}
 * or {@code flush}). Renegotiation beyond what the engine does that way is
 * not supported.
 * <p>
 * <b>Threading.</b> Every method may be called from any thread. Reads are
 * serialized by one lock and writes by another, so one reader and one writer
 * may work at the same time (the engine allows it); unlocking happens-before
 * the next reader (or writer) locks. {@link #close()} never waits for them:
 * it sends close_notify only if neither is in progress, then closes the
 * socket, which ends a blocked read or write. The ownership hand-over is
 * decided by one CAS on a single field: OWNED -> TAKEN, or OWNED ->
 * RELEASED (the owning task's cleanup).
 */
public final class TlsChannel implements ByteChannel {
    /** {@link #owner}: taken by a caller. */
    private static final int TAKEN = -1;
    /** {@link #owner}: released (closed) by its owning task's cleanup. */
    private static final int RELEASED = 0;
    /** {@link #owner}: owned by the handshake's task. */
    private static final int OWNED = 1;

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final String peer;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final String protocol;
    private final String cipherSuite;

    /** Guards {@link #netIn}, {@link #appIn} and {@link #inboundDone}; the unwrap side. */
    private final ReentrantLock readLock = new ReentrantLock();
    /** Guards {@link #netOut}; the wrap side. Taken after {@link #readLock} when both are held. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Ciphertext read, not yet unwrapped; in write mode (data in [0, position)). */
    private ByteBuffer netIn;
    /** Plaintext unwrapped, not yet read; in write mode. */
    private ByteBuffer appIn;
    /** Ciphertext wrapped, not yet written; in write mode. */
    private ByteBuffer netOut;
    private boolean inboundDone;

    /** Who owns the channel: {@link #OWNED} (its task), {@link #TAKEN} or {@link #RELEASED}. */
    private final AtomicInteger owner = new AtomicInteger(OWNED);
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Takes over a secured socket and the handshake's buffers (with the
     * bytes the handshake read past its end, and any application data it
     * unwrapped); on the context's thread that finished the handshake.
     */
    TlsChannel(SocketChannel channel, SSLEngine engine, String peer, SocketAddress local, SocketAddress remote,
            ByteBuffer netIn, ByteBuffer appIn, ByteBuffer netOut) {
        this.channel = channel;
        this.engine = engine;
        this.peer = peer;
        this.local = local;
        this.remote = remote;
        this.netIn = netIn;
        this.appIn = appIn;
        this.netOut = netOut;
        SSLSession session = engine.getSession();
        this.protocol = session.getProtocol();
        this.cipherSuite = session.getCipherSuite();
    }

    // ------------------------------------------------------------------ ownership

    /**
     * Takes the channel: from now on the caller owns it and must close it;
     * the task's cleanup leaves it open. Usually called from the callback.
     *
     * @return this channel
     * @throws IllegalStateException if it was already taken, or already
     *         closed by the task's cleanup (the task has finished)
     */
    public TlsChannel take() {
        for (;;) {
            int now = owner.get();
            if (now == TAKEN) {
                throw new IllegalStateException("tls: cannot take the channel (" + this + "): it was already taken");
            }
            if (now == RELEASED) {
                throw new IllegalStateException("tls: cannot take the channel (" + this
                        + "): it was closed when its task finished");
            }
            if (owner.compareAndSet(now, TAKEN)) {
                return this;
            }
        }
    }

    /**
     * Whether {@link #take()} has handed the channel over.
     *
     * @return true once taken
     */
    public boolean isTaken() {
        return owner.get() == TAKEN;
    }

    /** The handshake task's result cleanup: closes the channel unless it was taken. */
    static Consumer<TlsChannel> cleanup() {
        return tls -> {
            if (tls.owner.compareAndSet(OWNED, RELEASED)) {
                tls.close();
            }
        };
    }

    // ------------------------------------------------------------------ what it is

    /**
     * The socket underneath, for its mode, its options and watches. Do not
     * read or write it directly.
     *
     * @return the socket
     */
    public SocketChannel channel() {
        return channel;
    }

    /**
     * The engine, for its session and parameters. Do not wrap or unwrap
     * with it directly.
     *
     * @return the engine
     */
    public SSLEngine engine() {
        return engine;
    }

    /**
     * The negotiated session.
     *
     * @return {@code engine().getSession()}
     */
    public SSLSession session() {
        return engine.getSession();
    }

    /**
     * The negotiated protocol, such as {@code TLSv1.3}.
     *
     * @return the protocol, read when the handshake finished
     */
    public String protocol() {
        return protocol;
    }

    /**
     * The negotiated cipher suite, such as {@code TLS_AES_128_GCM_SHA256}.
     *
     * @return the cipher suite, read when the handshake finished
     */
    public String cipherSuite() {
        return cipherSuite;
    }

    /**
     * Whether this is the client side of the connection.
     *
     * @return {@code engine().getUseClientMode()}
     */
    public boolean isClient() {
        return engine.getUseClientMode();
    }

    /**
     * The socket's local address, read when the handshake started.
     *
     * @return the address, or null if the system could not tell
     */
    public SocketAddress localAddress() {
        return local;
    }

    /**
     * The peer's address, read when the handshake started.
     *
     * @return the address, or null if the system could not tell
     */
    public SocketAddress remoteAddress() {
        return remote;
    }

    // ------------------------------------------------------------------ data

    /**
     * Reads application data into {@code dst}: what was already unwrapped,
     * or else unwraps records from the socket until some data comes out.
     * In blocking mode it blocks until data arrives; in non-blocking mode it
     * returns 0 when no whole record is there. In the calling thread; one
     * reader at a time (others wait for the read lock).
     *
     * @param dst where the data goes
     * @return the number of bytes read, possibly 0; -1 at the end of the
     *         stream (the peer's close_notify, or the socket's end without it)
     * @throws ClosedChannelException if this channel is closed
     * @throws SSLException if a record is bad or the peer sent a fatal
     *         alert; the message names the peer
     * @throws IOException if the socket fails
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        readLock.lock();
        try {
            ensureOpen();
            if (!dst.hasRemaining()) {
                return 0;
            }
            for (;;) {
                if (appIn.position() > 0) {
                    return drainInto(dst);
                }
                if (inboundDone) {
                    return -1;
                }
                netIn.flip();
                SSLEngineResult result;
                try {
                    result = engine.unwrap(netIn, appIn);
                } catch (SSLException e) {
                    throw failure("reading from", e);
                } finally {
                    netIn.compact();
                }
                switch (result.getStatus()) {
                case OK:
                    afterPostHandshakeMessage(result.getHandshakeStatus());
                    if (result.bytesConsumed() == 0 && result.bytesProduced() == 0 && !fill() && !inboundDone) {
                        return 0; // nothing whole to unwrap, nothing more to read now
                    }
                    break;
                case BUFFER_UNDERFLOW:
                    netIn = Handshaking.ensureRoom(netIn,
                            Math.max(1, engine.getSession().getPacketBufferSize() - netIn.position()));
                    if (!fill() && !inboundDone) {
                        return 0; // non-blocking, and no whole record yet
                    }
                    break;
                case BUFFER_OVERFLOW:
                    appIn = Handshaking.ensureRoom(appIn, engine.getSession().getApplicationBufferSize());
                    break;
                case CLOSED:
                    inboundDone = true; // the peer's close_notify
                    break;
                default:
                    throw new SSLException("tls: reading from " + peer + ": unexpected " + result);
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Reads more ciphertext into {@link #netIn}.
     *
     * @return true if bytes came; false if none did (non-blocking) or the
     *         stream ended ({@link #inboundDone} then set)
     */
    private boolean fill() throws IOException {
        int read = channel.read(netIn);
        if (read < 0) {
            inboundDone = true;
            return false;
        }
        return read > 0;
    }

    /** After an unwrap outside a handshake: what a post-handshake message asks for. */
    private void afterPostHandshakeMessage(SSLEngineResult.HandshakeStatus status) throws IOException {
        SSLEngineResult.HandshakeStatus now = status;
        if (now == SSLEngineResult.HandshakeStatus.NEED_TASK) {
            Runnable task;
            while ((task = engine.getDelegatedTask()) != null) {
                task.run();
            }
            now = engine.getHandshakeStatus();
        }
        if (now == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            writeLock.lock();
            try {
                while (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP && wrapOnce(EMPTY)) {
                    // until the reply is wrapped, or the socket is full
                }
                flushLocked();
            } finally {
                writeLock.unlock();
            }
        }
    }

    private int drainInto(ByteBuffer dst) {
        appIn.flip();
        int count = Math.min(dst.remaining(), appIn.remaining());
        ByteBuffer part = appIn.duplicate();
        part.limit(part.position() + count);
        dst.put(part);
        appIn.position(appIn.position() + count);
        appIn.compact();
        return count;
    }

    /**
     * Writes application data from {@code src}: wraps it into records and
     * sends them. In blocking mode it returns when everything is sent; in
     * non-blocking mode it stops when the socket is full, and the bytes
     * consumed so far (counted in the return value) may stay buffered,
     * encrypted, until {@link #flush()} sends them. In the calling thread;
     * one writer at a time.
     *
     * @param src the data
     * @return the number of bytes of {@code src} consumed, possibly 0
     * @throws ClosedChannelException if this channel is closed
     * @throws SSLException if the engine is closed or fails; the message
     *         names the peer
     * @throws IOException if the socket fails
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        writeLock.lock();
        try {
            ensureOpen();
            int consumed = 0;
            if (!flushLocked()) {
                return 0;
            }
            while (src.hasRemaining()) {
                int before = src.remaining();
                boolean progress = wrapOnce(src);
                consumed += before - src.remaining();
                if (!progress && netOut.position() == 0) {
                    throw new SSLException("tls: writing to " + peer + ": the engine accepts no data ("
                            + engine.getHandshakeStatus() + "); renegotiation is not supported");
                }
                if (!progress || !flushLocked()) {
                    break; // the socket is full: the rest stays buffered, or unconsumed
                }
            }
            return consumed;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Sends the encrypted bytes that {@link #write} (or a post-handshake
     * reply) left buffered.
     *
     * @return true if nothing is left buffered
     * @throws ClosedChannelException if this channel is closed
     * @throws IOException if the socket fails
     */
    public boolean flush() throws IOException {
        writeLock.lock();
        try {
            ensureOpen();
            return flushLocked();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Wraps once into {@link #netOut}, making room as the engine asks; with
     * the write lock held and, in {@link #write}, {@link #netOut} flushed.
     *
     * @return false if it could not go on: the socket is full ({@link #netOut}
     *         left holding what it could not send), or the engine consumed
     *         and produced nothing
     */
    private boolean wrapOnce(ByteBuffer src) throws IOException {
        for (;;) {
            SSLEngineResult result;
            try {
                result = engine.wrap(src, netOut);
            } catch (SSLException e) {
                throw failure("writing to", e);
            }
            switch (result.getStatus()) {
            case OK:
                if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                }
                return result.bytesConsumed() > 0 || result.bytesProduced() > 0;
            case BUFFER_OVERFLOW:
                if (netOut.position() > 0) {
                    if (!flushLocked()) {
                        return false; // the socket is full: the caller stops here and tries again later
                    }
                } else {
                    netOut = Handshaking.ensureRoom(netOut, engine.getSession().getPacketBufferSize());
                }
                break;
            case CLOSED:
                throw new SSLException("tls: writing to " + peer + ": the TLS connection is closed");
            default:
                throw new SSLException("tls: writing to " + peer + ": unexpected " + result);
            }
        }
    }

    /** @return true if {@link #netOut} is empty afterwards; with the write lock held */
    private boolean flushLocked() throws IOException {
        if (netOut.position() == 0) {
            return true;
        }
        netOut.flip();
        try {
            channel.write(netOut);
        } finally {
            netOut.compact();
        }
        return netOut.position() == 0;
    }

    private SSLException failure(String doing, SSLException e) {
        return new SSLException("tls: " + doing + " " + peer + " failed: " + e.getMessage(), e);
    }

    private void ensureOpen() throws ClosedChannelException {
        if (closed.get()) {
            throw new ClosedChannelException();
        }
    }

    // ------------------------------------------------------------------ closing

    /**
     * Whether {@link #close()} has been called (by anyone, the task's
     * cleanup included).
     *
     * @return true while not closed
     */
    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Closes the channel, exactly once (later calls do nothing): sends
     * close_notify as best effort, then closes the socket. The close_notify
     * is sent only if it can be without blocking: when no read or write is
     * in progress, with one non-blocking write attempt (a socket in blocking
     * mode is switched to non-blocking for it); whatever happens, the socket
     * is closed. Bytes the peer sent that nobody read (a session ticket,
     * say) are discarded first, so that the socket ends with a FIN rather
     * than a reset, which could make the peer lose the close_notify. Never
     * throws, never blocks on the peer. From any thread; a read or write
     * blocked in another thread ends with an exception.
     * <p>
     * A socket that was watched releases its descriptor when its context
     * next selects.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (readLock.tryLock()) {
                try {
                    if (writeLock.tryLock()) {
                        try {
                            sendCloseNotify();
                        } finally {
                            writeLock.unlock();
                        }
                    }
                } finally {
                    readLock.unlock();
                }
            }
        } finally {
            Handshaking.closeQuietly(channel);
        }
    }

    /** With both locks held: nobody else uses the socket through this channel now. */
    private void sendCloseNotify() {
        try {
            engine.closeOutbound();
            if (channel.isBlocking()) {
                channel.configureBlocking(false);
            }
            while (!engine.isOutboundDone()) {
                SSLEngineResult result = engine.wrap(EMPTY, netOut);
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    netOut = Handshaking.ensureRoom(netOut, engine.getSession().getPacketBufferSize());
                } else if (result.bytesProduced() == 0) {
                    break;
                }
            }
            netOut.flip();
            channel.write(netOut);
            Handshaking.discardInput(channel);
        } catch (IOException | RuntimeException bestEffort) {
            // The peer is gone, or the socket is: close_notify is a courtesy.
        }
    }

    /**
     * @return {@code secured LOCAL -> REMOTE PROTOCOL CIPHER_SUITE}, for example
     *         {@code secured 127.0.0.1:51514 -> 127.0.0.1:4433 TLSv1.3 TLS_AES_128_GCM_SHA256}
     */
    @Override
    public String toString() {
        return "secured " + text(local) + " -> " + text(remote) + " " + protocol + " " + cipherSuite;
    }

    static String text(SocketAddress address) {
        return address == null ? "(none)" : SocketAddresses.format(address);
    }
}
