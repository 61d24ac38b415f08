package task.plugins.listener;

import java.nio.ByteBuffer;

/**
 * The read buffer an echo service's clients share: direct, so that a read
 * and the write back each cost one copy between the kernel and this
 * buffer, with no intermediate heap copy; and shared, so that a service
 * with many clients holds one buffer rather than one per client.
 * <p>
 * Threading: confined to the service's context, whose callbacks run one at
 * a time; no two clients use it at once, and a client leaves nothing in it
 * between callbacks (what a peer does not take is copied out, see
 * {@link EchoClient}).
 */
final class EchoBuffer {
    /** Bytes per read, as Netty's largest adaptive read buffer by default. */
    static final int CAPACITY = 64 * 1024;

    /** Allocated on the first read: a service that never gets a byte holds none. */
    private ByteBuffer buffer;

    /** The buffer, empty and ready to read into; on the context's thread. */
    ByteBuffer cleared() {
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(CAPACITY);
        }
        return buffer.clear();
    }
}
