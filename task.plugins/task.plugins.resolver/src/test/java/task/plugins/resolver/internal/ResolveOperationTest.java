package task.plugins.resolver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCancelledException;
import task.api.TaskState;
import task.api.spi.OperationInfo;
import task.api.spi.OperationRequest;
import task.impl.TaskRuntime;
import task.plugins.resolver.Outcome;

/**
 * The {@code resolve} operation as callers (the shell included) reach it:
 * found by {@link TaskRuntime#operations()} through ServiceLoader, run by
 * name with text arguments, its result printed with {@code toString()}.
 */
@Timeout(60)
class ResolveOperationTest {
    private TaskRuntime runtime;
    private EventContext context;

    @BeforeEach
    void start() {
        runtime = TaskRuntime.start();
        context = runtime.contexts().create("resolve-operation-test");
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    private Outcome<OperationRequest, Object> run(String... arguments) {
        Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
        runtime.operations().start(runtime.tasks(), "resolve", List.of(arguments), context, outcome);
        return outcome.drive();
    }

    private static List<String> lines(Outcome<OperationRequest, Object> outcome) {
        assertNull(outcome.error());
        assertInstanceOf(ResolvedAddresses.class, outcome.result());
        return Arrays.asList(outcome.result().toString().split("\n"));
    }

    @Test
    void foundThroughServiceLoaderWithItsUsage() {
        OperationInfo info = runtime.operations().find("resolve").orElseThrow();
        assertEquals("resolve HOST [PORT] [FAMILY]", info.usage());
        assertEquals(ResolveOperation.class.getName(), info.provider());
        assertTrue(runtime.operations().operations().contains(info));
    }

    @Test
    void localhostPrintsHostAddressesOnePerLine() {
        List<String> lines = lines(run("localhost"));
        assertTrue(lines.contains("127.0.0.1"), lines.toString());
        for (String line : lines) {
            assertTrue(line.equals("127.0.0.1") || line.equals("::1") || Literals.isIpv4(line) || Literals.isIpv6(line),
                    "not a bare numeric address: " + line);
        }
    }

    @Test
    void withAPortEachLineCarriesIt() {
        List<String> lines = lines(run("localhost", "80"));
        assertTrue(lines.contains("127.0.0.1:80"), lines.toString());
        for (String line : lines) {
            assertTrue(line.endsWith(":80"), line);
        }
    }

    @Test
    void ipv6LiteralPrintsCompressedWithAndWithoutPort() {
        assertEquals(List.of("::1"), lines(run("::1")));
        assertEquals(List.of("[::1]:80"), lines(run("[::1]", "80")));
        assertEquals(List.of("[::1]:80"), lines(run("::1", "80", "ipv6")));
    }

    @Test
    void familyMayComeThirdOrSecond() {
        assertTrue(lines(run("localhost", "80", "ipv4")).contains("127.0.0.1:80"));
        List<String> ipv4 = lines(run("localhost", "IPv4"));
        assertTrue(ipv4.contains("127.0.0.1"));
        assertTrue(ipv4.stream().allMatch(Literals::isIpv4), ipv4.toString());
    }

    @Test
    void numericOfWrongFamilyFailsAsATaskError() {
        Outcome<OperationRequest, Object> outcome = run("127.0.0.1", "80", "ipv6");
        assertInstanceOf(UnknownHostException.class, outcome.error());
        assertTrue(outcome.error().getMessage().contains("127.0.0.1"));
    }

    @Test
    void unknownHostFailsNamingHostAndPort() {
        Outcome<OperationRequest, Object> outcome = run("nosuchhost.invalid", "8443");
        assertNull(outcome.result());
        UnknownHostException error = assertInstanceOf(UnknownHostException.class, outcome.error());
        assertTrue(error.getMessage().contains("'nosuchhost.invalid' port 8443"), error.getMessage());
    }

    @Test
    void unixAddressPassesThrough() {
        assertEquals(List.of("unix:/tmp/resolve-operation.sock"), lines(run("unix:/tmp/resolve-operation.sock")));
    }

    @Test
    void cancellingTheOperationReportsTheCancellation() {
        Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
        Task<OperationRequest, Object> task = runtime.operations().start(runtime.tasks(), "resolve",
                List.of("localhost"), context, outcome);
        assertTrue(task.cancel(true, "user pressed ^C"));
        outcome.drive();
        assertInstanceOf(TaskCancelledException.class, outcome.error());
        assertNull(outcome.result());
        task.waitThread();
        assertEquals(TaskState.FINISHED, task.state());
    }

    static Stream<Arguments> badArguments() {
        String label300 = "a".repeat(300);
        // arguments, what the message says, and the offending value it must quote
        return Stream.of(
                Arguments.of(List.of(), "missing argument HOST", "usage: resolve HOST [PORT] [FAMILY]"),
                Arguments.of(List.of("localhost", "80", "any", "extra"), "too many arguments", "extra"),
                Arguments.of(List.of(""), "host not specified", "''"),
                Arguments.of(List.of("localhost", "-1"), "port -1 out of range 0..65535", "-1"),
                Arguments.of(List.of("localhost", "65536"), "port 65536 out of range 0..65535", "65536"),
                Arguments.of(List.of("localhost", "http"), "is not a number", "'http'"),
                Arguments.of(List.of("localhost", ""), "port not specified", "''"),
                Arguments.of(List.of("a:1:2"), "neither a name nor an IP address", "'a:1:2'"),
                Arguments.of(List.of("localhost:80"), "neither a name nor an IP address", "'localhost:80'"),
                Arguments.of(List.of(label300), "label longer than 63 characters (300)", "'" + "a".repeat(80)),
                Arguments.of(List.of("bad_name"), "illegal character '_'", "'bad_name'"),
                // Regression (issue 9): numeric-looking hosts were looked up as names.
                Arguments.of(List.of("127.0.0.1."), "takes no final '.'", "'127.0.0.1.'"),
                Arguments.of(List.of("0x7f000001", "80"), "not a valid IPv4 address", "'0x7f000001'"),
                Arguments.of(List.of("localhost", "80", "ipv5"), "is not one of any, ipv4, ipv6", "'ipv5'"),
                Arguments.of(List.of("unix:/tmp/x", "80"), "takes no port", "'80'"),
                Arguments.of(List.of("unix:"), "UNIX socket path not specified", "'unix:'"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badArguments")
    void badArgumentsFailFastAndLeaveNothing(List<String> arguments, String problem, String value) {
        Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> runtime.operations().start(runtime.tasks(), "resolve", arguments, context, outcome));
        assertTrue(e.getMessage().startsWith("resolve: "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertTrue(e.getMessage().contains(value), "the message should quote " + value + ": " + e.getMessage());
        assertTrue(runtime.inspector().inFlight().isEmpty(), runtime.inspector().inFlight().toString());
        assertFalse(context.iterate(false), "nothing may have been posted");
        assertEquals(0, outcome.calls());
    }

    @Test
    void nullArgumentIsRefusedBeforeTheOperationRuns() {
        List<String> withNull = Arrays.asList("localhost", null);
        assertThrows(NullPointerException.class,
                () -> runtime.operations().start(runtime.tasks(), "resolve", withNull, context, t -> { }));
        assertTrue(runtime.inspector().inFlight().isEmpty());
    }

    @Test
    void resultListsTheAddresses() {
        ResolvedAddresses result = (ResolvedAddresses) run("127.0.0.1", "9").result();
        assertEquals(1, result.addresses().size());
        assertEquals("127.0.0.1:9", result.toString());
    }
}
