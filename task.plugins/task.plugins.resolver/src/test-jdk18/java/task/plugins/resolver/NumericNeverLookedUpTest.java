package task.plugins.resolver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import task.api.EventContext;
import task.api.spi.OperationRequest;
import task.impl.TaskRuntime;
import task.plugins.resolver.internal.Literals;
import task.plugins.resolver.internal.ResolvedAddresses;
import task.testing.StressMode;

/**
 * Issue 9, "a numeric address must never be looked up", proven with the
 * JVM's own resolver replaced by {@link RecordingResolverProvider}: hostile
 * texts go through every public entry point (the parser's {@code parse} and
 * {@code host}, {@code NameResolver.resolve} in both forms, the
 * {@code resolve} operation), and
 * <ul>
 * <li>whatever the parser classifies numeric makes ZERO lookups and becomes
 * exactly the address the JDK's literal parser reads from the same text;
 * and no host that {@code inet_aton} reads as a number is ever looked up;</li>
 * <li>whatever it refuses is refused by every entry point, with no lookup;</li>
 * <li>whatever it calls a name is one that neither glibc's {@code inet_aton}
 * nor the JDK reads as a number (the JDK really asks the resolver for it).</li>
 * </ul>
 * The corpus is {@link HostileHosts} from {@link StressMode#seed()}: 100,000
 * texts in the short mode, 2,000,000 in the long one. Runs only on JDK 18+
 * (the SPI's first release), from the resolver's {@code resolver-spi-tests}
 * profile, in a JVM of its own.
 */
class NumericNeverLookedUpTest {
    private static final int PORT = 7;
    /** Failures kept for the report; the rest are only counted. */
    private static final int MAX_REPORTED = 20;

    private static TaskRuntime runtime;
    /** Driven by the test thread, so each outcome is known when the drive returns. */
    private static EventContext context;

    private final List<String> failures = new ArrayList<>();
    private long failureCount;
    private long numeric;
    private long names;
    private long refused;
    private long lookupsForNumeric;
    private long lookupsForRefused;

    /**
     * Without this the rest proves nothing: the JVM must be asking the
     * recorder, not the system resolver. A name no other test uses, so that
     * the JDK's cache cannot answer it.
     */
    @BeforeAll
    static void start() {
        long before = RecordingResolverProvider.lookups();
        assertThrows(UnknownHostException.class, () -> InetAddress.getAllByName("recorder-check.invalid"));
        assertEquals(before + 1, RecordingResolverProvider.lookups(), "the recording resolver is not installed");
        assertTrue(RecordingResolverProvider.asked("recorder-check.invalid"));
        runtime = TaskRuntime.start();
        context = runtime.contexts().create("numeric-never-looked-up");
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    /** Our entry points reach the recorder for names, as they reach the system resolver outside this test. */
    @Test
    void namesReachTheRecorder() throws UnknownHostException {
        InetAddress[] localhost = InetAddress.getAllByName("localhost");
        assertTrue(RecordingResolverProvider.asked("localhost"));
        assertEquals(1, localhost.length);
        assertArrayEquals(new byte[] {127, 0, 0, 1}, localhost[0].getAddress());

        // A fully qualified name, final dot and all, is a name: it is looked up.
        List<SocketAddress> found = NameResolver.resolve(SocketAddresses.parse("connect", "LOCALHOST.:80", true),
                AddressFamily.ANY);
        assertTrue(RecordingResolverProvider.asked("localhost."));
        assertEquals("127.0.0.1:80", SocketAddresses.format(found.get(0)));
        UnknownHostException unknown = assertThrows(UnknownHostException.class,
                () -> NameResolver.resolve(InetSocketAddress.createUnresolved("no-such.invalid", 80), AddressFamily.ANY));
        assertTrue(unknown.getMessage().contains("recorded by the test resolver"), unknown.getMessage());
        assertTrue(RecordingResolverProvider.asked("no-such.invalid"));
    }

    /** The cases named in the issue, and their neighbours, before the random corpus. */
    @Test
    void namedCasesAreLiteralsOrRefusedAndNeverLookedUp() {
        List<String> cases = List.of("127.0.0.1.", "127.0.0.1", "127.1", "0x7f.0.0.1", "2130706433", "[::1]", "::1",
                "::ffff:127.0.0.1", "fe80::1%eth0", "fe80::1%1", "1.2.3.4%x", "0X7F000001", "FE80::A", "127.0.0.1.:80",
                "[::1]:80", " 127.0.0.1", "127.0.0.1\u0000", "\u0661\u0662\u0667.0.0.1", "\uff11\uff12\uff17.0.0.1",
                "0x7f000001", "1.2.3.0x4", "0x", "localhost.", "LOCALHOST.", "unix:127.0.0.1");
        for (String text : cases) {
            check(text);
        }
        report("named cases", cases.size());
    }

    @Test
    void hostileCorpusNeverLooksANumericHostUp() {
        long seed = StressMode.seed();
        int count = StressMode.count(100_000, 2_000_000);
        long start = System.nanoTime();
        long lookupsBefore = RecordingResolverProvider.lookups();
        HostileHosts corpus = new HostileHosts(seed);
        for (int i = 0; i < count; i++) {
            check(corpus.next());
        }
        StressMode.summary("NumericNeverLookedUpTest", count + " texts: " + numeric + " numeric hosts, " + names
                + " names, " + refused + " refused everywhere; lookups: " + lookupsForNumeric + " of numbers, "
                + lookupsForRefused + " for refused, " + (RecordingResolverProvider.lookups() - lookupsBefore)
                + " in all", seed, start);
        report("seed " + seed, count);
    }

    private void report(String what, int count) {
        assertEquals(0, lookupsForNumeric, what + ": numeric hosts were looked up; " + failures);
        assertEquals(0, lookupsForRefused, what + ": refused hosts were looked up; " + failures);
        assertEquals(0, failureCount, what + ": " + failureCount + " of " + count + " texts failed; the first: "
                + String.join("\n", failures));
    }

    /** Runs one text through every entry point and checks what each does with it. */
    private void check(String text) {
        long before = RecordingResolverProvider.lookups();
        Set<String> hosts = new LinkedHashSet<>();
        boolean anyAccepted = false;
        for (boolean portRequired : new boolean[] {false, true}) {
            try {
                SocketAddress parsed = SocketAddresses.parse("connect", text, portRequired);
                anyAccepted = true;
                if (parsed instanceof InetSocketAddress inet) {
                    hosts.add(inet.getHostString());
                }
            } catch (IllegalArgumentException expected) {
                expectNamed(text, "connect", expected);
            }
        }
        String alone = null;
        try {
            alone = SocketAddresses.host("resolve", text);
            hosts.add(alone);
        } catch (IllegalArgumentException expected) {
            expectNamed(text, "resolve", expected);
        }
        if (RecordingResolverProvider.lookups() != before) {
            fail(text, "the parser made a lookup");
        }
        if (alone == null) {
            refusedByTheResolverToo(text);
            if (!anyAccepted) {
                refused++;
            }
        } else {
            // The raw text, as a caller that skips the parser hands it over.
            resolveOne(text, InetSocketAddress.createUnresolved(text, PORT), Literals.isNumeric(alone));
        }
        for (String host : hosts) {
            if (Literals.isNumeric(host)) {
                numeric++;
                everyFormIsTheLiteral(text, host);
            } else {
                names++;
                isAName(text, host);
            }
        }
    }

    /** A host that host() refuses: the resolver and the operation refuse it too, before anything starts. */
    private void refusedByTheResolverToo(String text) {
        long before = RecordingResolverProvider.lookups();
        try {
            NameResolver.resolve(InetSocketAddress.createUnresolved(text, PORT), AddressFamily.ANY);
            fail(text, "host() refuses it but NameResolver.resolve accepted it");
        } catch (IllegalArgumentException expected) {
            expectNamed(text, "resolve", expected);
        } catch (UnknownHostException e) {
            fail(text, "host() refuses it but NameResolver.resolve tried it: " + e.getMessage());
        }
        try {
            Outcome<SocketAddress, List<SocketAddress>> outcome = new Outcome<>(context);
            NameResolver.resolve(runtime.tasks(), InetSocketAddress.createUnresolved(text, PORT), AddressFamily.ANY,
                    context, outcome);
            outcome.drive();
            fail(text, "host() refuses it but the task form started");
        } catch (IllegalArgumentException expected) {
            expectNamed(text, "resolve", expected);
        }
        if (!text.startsWith(SocketAddresses.UNIX_PREFIX)) {
            try {
                operation(text);
                fail(text, "host() refuses it but the resolve operation started");
            } catch (IllegalArgumentException expected) {
                expectNamed(text, "resolve", expected);
            }
        }
        lookupsForRefused += RecordingResolverProvider.lookups() - before;
    }

    /** A numeric host: no lookup by any entry point, and exactly the JDK's reading of the literal. */
    private void everyFormIsTheLiteral(String text, String host) {
        long before = RecordingResolverProvider.lookups();
        InetAddress expected;
        String expectedFailure = null;
        try {
            expected = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            // Only an IPv6 scope naming no interface here may fail.
            expected = null;
            expectedFailure = e.getMessage();
        }
        if (RecordingResolverProvider.lookups() != before) {
            fail(text, "the JDK does not read '" + host + "' as a literal (it looked it up), we do");
            return;
        }
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved(host, PORT);
        List<List<SocketAddress>> answers = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        try {
            answers.add(NameResolver.resolve(unresolved, AddressFamily.ANY));
        } catch (UnknownHostException e) {
            errors.add(e);
        }
        Outcome<SocketAddress, List<SocketAddress>> task = new Outcome<>(context);
        NameResolver.resolve(runtime.tasks(), unresolved, AddressFamily.ANY, context, task);
        task.drive();
        collect(task.result(), task.error(), answers, errors);
        Outcome<OperationRequest, Object> operation = operation(host, String.valueOf(PORT));
        collect(operation.result() == null ? null : ((ResolvedAddresses) operation.result()).addresses(),
                operation.error(), answers, errors);
        long lookups = RecordingResolverProvider.lookups() - before;
        if (lookups != 0) {
            lookupsForNumeric += lookups;
            fail(text, "numeric host '" + host + "' was looked up " + lookups + " times");
        }
        if (expected == null) {
            if (!answers.isEmpty()) {
                fail(text, "the JDK refuses '" + host + "' (" + expectedFailure + ") but we resolved it: " + answers);
            }
            for (Throwable error : errors) {
                if (!(error instanceof UnknownHostException)) {
                    fail(text, "expected an UnknownHostException, got " + error);
                }
            }
            return;
        }
        if (!errors.isEmpty()) {
            fail(text, "numeric host '" + host + "' failed: " + errors);
        }
        for (List<SocketAddress> answer : answers) {
            if (answer.size() != 1) {
                fail(text, "numeric host '" + host + "' gave " + answer);
                continue;
            }
            InetAddress got = ((InetSocketAddress) answer.get(0)).getAddress();
            if (!Arrays.equals(expected.getAddress(), got.getAddress()) || expected.getClass() != got.getClass()
                    || scope(expected) != scope(got) || ((InetSocketAddress) answer.get(0)).getPort() != PORT) {
                fail(text, "numeric host '" + host + "' became " + got + " port "
                        + ((InetSocketAddress) answer.get(0)).getPort() + ", the literal is " + expected);
            }
        }
    }

    /** A name: looked up as it is, and not something a resolver would read as a number. */
    private void isAName(String text, String host) {
        String bare = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (inetAton(host) || inetAton(bare)) {
            // The parser let a number through as a name: was it looked up (what issue 9 saw)?
            boolean lookedUp = RecordingResolverProvider.asked(host);
            if (lookedUp) {
                lookupsForNumeric++;
            }
            fail(text, "'" + host + "' is a name to us but inet_aton reads it as an address"
                    + (lookedUp ? "; it was looked up" : ""));
        }
        if (!RecordingResolverProvider.asked(host)) {
            try {
                NameResolver.resolve(InetSocketAddress.createUnresolved(host, PORT), AddressFamily.ANY);
            } catch (UnknownHostException recorded) {
                // The recorder answers almost nothing; only that it was asked matters here.
            }
            if (!RecordingResolverProvider.asked(host)) {
                fail(text, "'" + host + "' is a name to us but the JDK did not look it up (to the JDK it is an"
                        + " address literal, ambiguous or not)");
            }
        }
    }

    /** The sync form on one address: numeric must make no lookup; either way only the expected outcomes. */
    private void resolveOne(String text, InetSocketAddress address, boolean numericHost) {
        long before = RecordingResolverProvider.lookups();
        try {
            NameResolver.resolve(address, AddressFamily.ANY);
        } catch (UnknownHostException e) {
            // A name the recorder does not answer, or a scope naming no interface here.
        } catch (IllegalArgumentException e) {
            fail(text, "the parser accepts it but NameResolver.resolve refuses it: " + e.getMessage());
        }
        if (numericHost && RecordingResolverProvider.lookups() != before) {
            lookupsForNumeric += RecordingResolverProvider.lookups() - before;
            fail(text, "numeric host '" + address.getHostString() + "' was looked up");
        }
    }

    private Outcome<OperationRequest, Object> operation(String... arguments) {
        Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
        runtime.operations().start(runtime.tasks(), "resolve", List.of(arguments), context, outcome);
        return outcome.drive();
    }

    private static void collect(List<SocketAddress> result, Throwable error, List<List<SocketAddress>> answers,
            List<Throwable> errors) {
        if (error != null) {
            errors.add(error);
        } else {
            answers.add(result);
        }
    }

    private static int scope(InetAddress address) {
        return address instanceof Inet6Address ? ((Inet6Address) address).getScopeId() : -1;
    }

    /** A refusal names the operation and quotes the value (shortened past 80 characters). */
    private void expectNamed(String text, String operation, IllegalArgumentException e) {
        String message = e.getMessage();
        if (message == null || !message.startsWith(operation + ": ")) {
            fail(text, "message does not start with '" + operation + ": ': " + message);
        } else if (!text.isEmpty() && !message.contains("'" + text.substring(0, Math.min(text.length(), 80)))) {
            // (An empty host is "host not specified", with nothing to quote.)
            fail(text, "message does not quote the value: " + message);
        }
    }

    private void fail(String text, String problem) {
        failureCount++;
        if (failures.size() < MAX_REPORTED) {
            failures.add(escape(text) + ": " + problem);
        }
    }

    private static String escape(String text) {
        StringBuilder shown = new StringBuilder("'");
        text.codePoints().forEach(c -> {
            if (c >= 0x20 && c < 0x7f) {
                shown.appendCodePoint(c);
            } else {
                shown.append(String.format("\\u{%X}", c));
            }
        });
        return shown.append('\'').toString();
    }

    /**
     * glibc's {@code inet_aton} as {@code getaddrinfo} uses it (nothing may
     * follow the number): one to four parts separated by '.', each decimal,
     * octal after a leading 0, or hex after 0x (whose digits may be none),
     * the last filling the bytes that are left. An oracle written from the C
     * source, independent of {@link Literals}.
     */
    static boolean inetAton(String text) {
        int i = 0;
        int parts = 0;
        int length = text.length();
        while (true) {
            if (i >= length || text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
            long value = 0;
            int base = 10;
            if (text.charAt(i) == '0') {
                i++;
                base = 8;
                if (i < length && (text.charAt(i) == 'x' || text.charAt(i) == 'X')) {
                    base = 16;
                    i++;
                }
            }
            for (; i < length; i++) {
                int digit = Character.digit(text.charAt(i), base);
                if (text.charAt(i) > 'f' || digit < 0) {
                    if (base == 8 && (text.charAt(i) == '8' || text.charAt(i) == '9')) {
                        return false;
                    }
                    break;
                }
                value = value * base + digit;
                if (value > 0xFFFFFFFFL) {
                    return false;
                }
            }
            if (i < length && text.charAt(i) == '.') {
                if (parts == 3 || value > 0xFF) {
                    return false;
                }
                parts++;
                i++;
                continue;
            }
            if (i < length) {
                return false;
            }
            return value <= (0xFFFFFFFFL >>> (8 * parts));
        }
    }
}
