package task.plugins.tls.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The SSL contexts {@code tls-connect} trusts with: the JDK's default, or
 * one that trusts exactly the CA certificates of a file. Stateless; any
 * thread.
 */
final class Trust {
    private Trust() {
    }

    /**
     * @return the JDK's default context (its default trust store)
     * @throws IllegalStateException if the JDK has none (a broken installation)
     */
    static SSLContext jdkDefault(String operation) {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(operation + ": the JDK has no default SSL context: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the X.509 certificates of a PEM (or DER) file and makes a
     * context that trusts them, and nothing else, as CAs (PKIX).
     *
     * @param operation named in messages
     * @param file the file's path
     * @return a new context with no key of its own
     * @throws IllegalArgumentException if the file cannot be read, holds no
     *         certificate, or one is malformed; the message names the
     *         operation and the file
     */
    static SSLContext fromFile(String operation, String file) {
        Path path;
        try {
            path = Path.of(file);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(operation + ": bad trust file path '" + file + "': " + e.getReason(), e);
        }
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(path)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalArgumentException(operation + ": cannot read the trust file '" + file + "': " + e, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(operation + ": the trust file '" + file
                    + "' holds a malformed certificate: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(operation + ": the trust file '" + file
                    + "' holds no certificate (PEM or DER X.509 expected)");
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            List<Certificate> all = new ArrayList<>(certificates);
            for (int i = 0; i < all.size(); i++) {
                store.setCertificateEntry("ca-" + i, all.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(operation + ": cannot make an SSL context trusting '" + file + "': "
                    + e.getMessage(), e);
        }
    }
}
