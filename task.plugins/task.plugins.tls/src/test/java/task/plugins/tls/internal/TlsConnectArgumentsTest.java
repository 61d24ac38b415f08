package task.plugins.tls.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import task.api.EventContext;
import task.api.spi.OperationInfo;
import task.api.spi.OperationRequest;
import task.impl.TaskRuntime;
import task.plugins.tls.Descriptors;
import task.plugins.tls.Outcome;

/**
 * {@code tls-connect}'s registration and its argument errors: each fails at
 * once, names the operation and the value, and leaves nothing behind. No
 * peer is needed, so these run without openssl.
 */
class TlsConnectArgumentsTest {
    @TempDir
    static Path dir;

    private TaskRuntime runtime;
    private EventContext context;

    @BeforeEach
    void start() {
        runtime = TaskRuntime.start();
        context = runtime.contexts().create("tls-connect-arguments-test");
    }

    @AfterEach
    void stop() {
        runtime.close();
        System.clearProperty(TlsConnectOperation.TRUST_PROPERTY);
    }

    @Test
    void isFoundOnTheClassPath() {
        OperationInfo info = runtime.operations().find("tls-connect").orElseThrow();
        assertEquals("tls-connect HOST:PORT [TIMEOUT_MS] [TRUST]", info.usage());
        assertEquals(TlsConnectOperation.class.getName(), info.provider());
    }

    static Stream<Arguments> badArguments() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        Path junk = Files.writeString(dir.resolve("junk.pem"),
                "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        return Stream.of(
                Arguments.of(List.of(), "tls-connect: missing argument HOST:PORT"),
                Arguments.of(List.of(""), "tls-connect: address not specified"),
                Arguments.of(List.of("localhost"), "tls-connect: port not specified in 'localhost'"),
                Arguments.of(List.of("localhost:65536"), "tls-connect: port 65536 out of range 0..65535"),
                Arguments.of(List.of("bad_host:443"), "illegal character '_'"),
                Arguments.of(List.of("localhost:0"), "tls-connect: port 0 in 'localhost:0' cannot be connected to"),
                Arguments.of(List.of("unix:/run/x.sock"),
                        "tls-connect: 'unix:/run/x.sock' has no host name to check a certificate against"),
                Arguments.of(List.of("localhost:443", "0"), "tls-connect: timeout 0 ms out of range 1..86400000"),
                Arguments.of(List.of("localhost:443", "-5"), "tls-connect: timeout -5 ms out of range"),
                Arguments.of(List.of("localhost:443", "soon"),
                        "tls-connect: timeout 'soon' is not a number of milliseconds"),
                Arguments.of(List.of("localhost:443", "1000", "/nonexistent/ca.pem"),
                        "tls-connect: cannot read the trust file '/nonexistent/ca.pem'"),
                Arguments.of(List.of("localhost:443", "1000", empty.toString()),
                        "tls-connect: the trust file '" + empty + "' holds no certificate"),
                Arguments.of(List.of("localhost:443", "1000", junk.toString()),
                        "tls-connect: the trust file '" + junk + "' holds a malformed certificate"),
                Arguments.of(List.of("localhost:443", "1000", "ca.pem", "extra"), "tls-connect: too many arguments"));
    }

    @ParameterizedTest
    @MethodSource("badArguments")
    void badArgumentsFailFastAndLeaveNothing(List<String> arguments, String expected) {
        assertRefused(new ArrayList<>(arguments), expected);
    }

    @Test
    void aTrustFileTheSystemPropertyNamesMustExist() {
        System.setProperty(TlsConnectOperation.TRUST_PROPERTY, "/nonexistent/property-ca.pem");
        assertRefused(List.of("localhost:443"), "tls-connect (system property task.plugins.tls.trust):"
                + " cannot read the trust file '/nonexistent/property-ca.pem'");
    }

    private void assertRefused(List<String> arguments, String expected) {
        Map<String, String> before = Descriptors.snapshot();
        Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> runtime.operations().start(runtime.tasks(), "tls-connect", arguments, context, outcome));
        assertTrue(error.getMessage().startsWith("tls-connect"), error.getMessage());
        assertTrue(error.getMessage().contains(expected), error.getMessage() + " should contain " + expected);
        assertFalse(outcome.isDone());
        assertTrue(runtime.inspector().inFlight().isEmpty(), "no task was left");
        assertFalse(context.iterate(false), "nothing was posted, scheduled or watched");
        Descriptors.assertNoneLeft(before);
    }
}
