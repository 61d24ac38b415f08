package task.plugins.tls;

import java.nio.ByteBuffer;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Reads a TLS alert the engine could not: a client's TLS 1.3 alert sent
 * before its handshake keys are in use is a plaintext record, which the
 * JDK's server engine tries to decrypt and reports as a bad record
 * ("Insufficient buffer remaining for AEAD cipher fragment"), hiding the
 * alert itself (openssl's {@code s_client} rejecting a certificate sends
 * one). Stateless; any thread.
 */
final class Alerts {
    /** The TLS record content type of an alert. */
    private static final int ALERT = 21;

    private Alerts() {
    }

    /**
     * If the record at the start of {@code records} (flipped: from index 0
     * to its limit; absolute reads only, so the position does not matter)
     * is a plaintext alert, an exception naming it, the engine's own as its
     * cause; otherwise {@code failure} itself.
     */
    static SSLException explain(ByteBuffer records, SSLException failure) {
        if (records.limit() < 7 || records.get(0) != ALERT || records.get(1) != 3 || records.get(3) != 0
                || records.get(4) != 2) {
            return failure;
        }
        String level = records.get(5) == 2 ? "fatal" : "warning";
        SSLHandshakeException named = new SSLHandshakeException("Received " + level + " alert: "
                + name(records.get(6) & 0xff) + " (a plaintext record the engine could not read)");
        named.initCause(failure);
        return named;
    }

    /** @return the alert's name as RFC 8446 (and RFC 5246 before it) writes it, or {@code alert N} */
    static String name(int description) {
        switch (description) {
        case 0: return "close_notify";
        case 10: return "unexpected_message";
        case 20: return "bad_record_mac";
        case 22: return "record_overflow";
        case 40: return "handshake_failure";
        case 42: return "bad_certificate";
        case 43: return "unsupported_certificate";
        case 44: return "certificate_revoked";
        case 45: return "certificate_expired";
        case 46: return "certificate_unknown";
        case 47: return "illegal_parameter";
        case 48: return "unknown_ca";
        case 49: return "access_denied";
        case 50: return "decode_error";
        case 51: return "decrypt_error";
        case 70: return "protocol_version";
        case 71: return "insufficient_security";
        case 80: return "internal_error";
        case 86: return "inappropriate_fallback";
        case 90: return "user_canceled";
        case 100: return "no_renegotiation";
        case 109: return "missing_extension";
        case 110: return "unsupported_extension";
        case 112: return "unrecognized_name";
        case 113: return "bad_certificate_status_response";
        case 115: return "unknown_psk_identity";
        case 116: return "certificate_required";
        case 120: return "no_application_protocol";
        default: return "alert " + description;
        }
    }
}
