package task.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * A very short run of every benchmark, for CI: each completes, for ours and
 * every peer, and every callback runs on the loop. No timing is asserted.
 */
class BenchSmokeTest {

    @BeforeAll
    static void smokeMode() {
        ThroughputBench.smoke = true;
        ListenerBench.smoke = true;
        EchoBench.smoke = true;
        ConnectBench.smoke = true;
    }

    @AfterAll
    static void normalMode() {
        ThroughputBench.smoke = false;
        ListenerBench.smoke = false;
        EchoBench.smoke = false;
        ConnectBench.smoke = false;
    }

    /** The options of one very short, in-process measurement of {@code benchmark}'s methods. */
    private static ChainedOptionsBuilder briefly(Class<?> benchmark) {
        return new OptionsBuilder()
                .include("^" + benchmark.getName().replace(".", "\\.") + "\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT);
    }

    private static void runBriefly(Class<?> benchmark) throws Exception {
        runBriefly(benchmark, "peer", Peers.standard());
    }

    /** One very short measurement of {@code benchmark} per value of {@code param}; each must measure something. */
    private static void runBriefly(Class<?> benchmark, String param, List<String> values)
            throws Exception {
        Collection<RunResult> results = new Runner(briefly(benchmark)
                .param(param, values.toArray(new String[0]))
                .threads(1)
                .build()).run();
        long methods = Arrays.stream(benchmark.getMethods()).filter(m -> m.isAnnotationPresent(Benchmark.class)).count();
        long otherCombinations = Arrays.stream(benchmark.getFields())
                .filter(f -> f.isAnnotationPresent(Param.class) && !f.getName().equals(param))
                .mapToLong(f -> f.getAnnotation(Param.class).value().length).reduce(1, (a, b) -> a * b);
        assertEquals(methods * values.size() * otherCombinations, results.size(),
                "one result per benchmark method, " + param + " and value of the other parameters");
        for (RunResult result : results) {
            assertTrue(result.getPrimaryResult().getSampleCount() > 0,
                    result.getParams().getParam(param) + " measured nothing");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void throughputRunsForEveryPeer() throws Exception {
        runBriefly(ThroughputBench.class);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void metricsCostRunsWithTheMetricsOnAndOff() throws Exception {
        runBriefly(MetricsCostBench.class, "metrics", List.of("true", "false"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void taskTableRunsWithTwoThreads() throws Exception {
        Collection<RunResult> results = new Runner(briefly(TaskTableBench.class).threads(2).build()).run();
        assertEquals(1, results.size());
        assertTrue(results.iterator().next().getPrimaryResult().getScore() > 0, "measured nothing");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void latencyRunsForEveryPeer() throws Exception {
        runBriefly(LatencyBench.class);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void idleCpuMeasuresEveryPeer() throws Exception {
        List<String> names = new ArrayList<>(Peers.standard());
        names.add(IdleCpu.NONE);
        for (String peer : names) {
            double percent = IdleCpu.measure(peer, 100);
            assertTrue(percent >= 0, peer + ": " + percent);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void blockingScaleCompletesForEveryPeer() throws Exception {
        for (String peer : List.of(Peers.OURS_DEFAULT, Peers.CF_COMMON, Peers.VERTX_DEFAULT)) {
            double seconds = BlockingScale.run(peer, 50, 10, 30);
            assertTrue(seconds > 0, peer + ": " + seconds);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void wakeupFloorTimesItsHops() throws Exception {
        double[] micros = WakeupFloor.measure(2_000);
        assertTrue(micros[0] > 0 && micros[1] >= micros[0], micros[0] + " / " + micros[1]);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void listenerAcceptRunsForEveryServer() throws Exception {
        runBriefly(ListenerBench.class, "server",
                List.of(AcceptServers.OURS, AcceptServers.SERVER_SOCKET, AcceptServers.NIO));
    }

    /** Every echo server, with 1 and 100 clients, streams and answers messages; every byte is checked. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void echoRunsForEveryServerAndEchoesEveryByte() throws Exception {
        runBriefly(EchoBench.class, "server", List.of(EchoServers.OURS, EchoServers.NETTY, EchoServers.VERTX));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void connectRunsForEveryClient() throws Exception {
        runBriefly(ConnectBench.class, "client", List.of(ConnectClients.OURS, ConnectClients.VERTX));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyAcceptLoopAcceptsATinyCount() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try {
            for (String name : List.of(AcceptServers.OURS, AcceptServers.SERVER_SOCKET, AcceptServers.NIO)) {
                try (AcceptServers.Server server = AcceptServers.start(name)) {
                    assertEquals("127.0.0.1", server.address().getAddress().getHostAddress(), name);
                    for (int round = 1; round <= 3; round++) {
                        long total = ListenerBench.connect(server, server.address(), clients, 2, 25);
                        assertEquals(25L * round, total, name + ": accepted in round " + round);
                    }
                }
            }
        } finally {
            clients.shutdownNow();
        }
    }
}
