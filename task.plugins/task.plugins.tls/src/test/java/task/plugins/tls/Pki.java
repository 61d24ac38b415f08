package task.plugins.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway PKI the tests make at run time with openssl, in a directory of
 * their own: a CA, and certificates (EC P-256, valid two days) for
 * <ul>
 * <li>{@code server}: signed by the CA, naming {@code localhost} and {@code 127.0.0.1};</li>
 * <li>{@code wrong-name}: signed by the CA, naming only {@code example.invalid};</li>
 * <li>{@code untrusted}: self-signed, naming {@code localhost} and {@code 127.0.0.1};</li>
 * <li>{@code client}: signed by the CA, for client authentication.</li>
 * </ul>
 * and the JDK contexts that use them. Call {@link OpenSslPeer#assumeAvailable()} first.
 */
public final class Pki {
    private static final char[] PASSWORD = "changeit".toCharArray();

    public final Path dir;

    private Pki(Path dir) {
        this.dir = dir;
    }

    /** Makes the CA and the certificates in {@code dir}. */
    public static Pki make(Path dir) throws IOException, InterruptedException {
        Pki pki = new Pki(dir);
        pki.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=task.plugins.tls test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        pki.signed("server", "localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth");
        pki.signed("wrong-name", "example.invalid", "DNS:example.invalid", "serverAuth");
        pki.signed("client", "test client", "DNS:client.invalid", "clientAuth");
        pki.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "untrusted.key", "-out", "untrusted.pem", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        return pki;
    }

    private void signed(String name, String commonName, String altNames, String usage)
            throws IOException, InterruptedException {
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", "/CN=" + commonName);
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + altNames + "\nbasicConstraints=CA:FALSE\n"
                + "extendedKeyUsage=" + usage + "\n");
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    private void openssl(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = process.waitFor();
        if (status != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + status + ":\n" + output);
        }
    }

    /** @return the PEM file of a certificate ({@code ca}, {@code server}, ...) */
    public Path certificate(String name) {
        return dir.resolve(name + ".pem");
    }

    /** @return the PEM file of a key */
    public Path key(String name) {
        return dir.resolve(name + ".key");
    }

    /** A client context that trusts the test CA alone, with no key of its own. */
    public SSLContext trustingCa() throws IOException, GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers(), null);
        return context;
    }

    /**
     * A client context that trusts the test CA, and tells {@code checked}
     * the thread each check of a server's certificate runs on.
     */
    public SSLContext trustingCaRecording(java.util.function.Consumer<Thread> checked)
            throws IOException, GeneralSecurityException {
        javax.net.ssl.X509ExtendedTrustManager real = (javax.net.ssl.X509ExtendedTrustManager) trustManagers()[0];
        javax.net.ssl.X509ExtendedTrustManager recording = new javax.net.ssl.X509ExtendedTrustManager() {
            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType,
                    javax.net.ssl.SSLEngine engine) throws java.security.cert.CertificateException {
                checked.accept(Thread.currentThread());
                real.checkServerTrusted(chain, authType, engine);
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType,
                    java.net.Socket socket) throws java.security.cert.CertificateException {
                checked.accept(Thread.currentThread());
                real.checkServerTrusted(chain, authType, socket);
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType)
                    throws java.security.cert.CertificateException {
                checked.accept(Thread.currentThread());
                real.checkServerTrusted(chain, authType);
            }

            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType,
                    javax.net.ssl.SSLEngine engine) throws java.security.cert.CertificateException {
                real.checkClientTrusted(chain, authType, engine);
            }

            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType,
                    java.net.Socket socket) throws java.security.cert.CertificateException {
                real.checkClientTrusted(chain, authType, socket);
            }

            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType)
                    throws java.security.cert.CertificateException {
                real.checkClientTrusted(chain, authType);
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return real.getAcceptedIssuers();
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {recording}, null);
        return context;
    }

    /** A context with the key and certificate {@code name} (and the CA behind it), trusting the test CA. */
    public SSLContext withKey(String name) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        List<Certificate> chain = new ArrayList<>(certificates(certificate(name)));
        if (!name.equals("untrusted")) {
            chain.addAll(certificates(certificate("ca")));
        }
        store.setKeyEntry(name, privateKey(key(name)), PASSWORD, chain.toArray(new Certificate[0]));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trustManagers(), null);
        return context;
    }

    private javax.net.ssl.TrustManager[] trustManagers() throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", certificates(certificate("ca")).get(0));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        return factory.getTrustManagers();
    }

    private static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
    }

    private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem);
        String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }
}
