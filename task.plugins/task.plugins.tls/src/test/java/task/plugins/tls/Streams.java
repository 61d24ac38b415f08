package task.plugins.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Lines over a {@link TlsChannel} in blocking mode, for the tests. */
final class Streams {
    private Streams() {
    }

    /** Writes {@code text} and a newline, all of it (blocking mode). */
    static void writeLine(TlsChannel tls, String text) throws IOException {
        ByteBuffer out = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            tls.write(out);
        }
        if (!tls.flush()) {
            throw new IllegalStateException("blocking mode expected");
        }
    }

    /** Reads up to a newline (blocking mode). @return the line without it, or null at the end of the stream */
    static String readLine(TlsChannel tls) throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        for (;;) {
            one.clear();
            int read = tls.read(one);
            if (read < 0) {
                return line.length() == 0 ? null : line.toString();
            }
            if (read == 0) {
                throw new IllegalStateException("blocking mode expected");
            }
            char c = (char) (one.get(0) & 0xff);
            if (c == '\n') {
                return line.toString();
            }
            line.append(c);
        }
    }

    /** {@code channel().configureBlocking(mode)} for a callback. */
    static void blocking(TlsChannel tls, boolean mode) {
        try {
            tls.channel().configureBlocking(mode);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
