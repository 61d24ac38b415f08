package task.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.SampleTimeResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The one entry point of {@code ./bench}: runs every measure of issue 5 for
 * ours and every peer in this JVM's run, prints one table and writes it as
 * JSON ({@code bench-results.json}, point estimates); beside it, each JMH
 * run's own JSON result ({@code jmh-*-jdkN.json}), which carries every
 * score with its error bar (99.9%) and the raw iterations.
 * <p>
 * Options: {@code --quick} (short iterations, for a fast and less precise
 * run); {@code --jfr} (instead of the table: the throughput benchmark of
 * ours and of the plain JDK executors under a JFR recording, summarised);
 * {@code --only LIST} (a comma-separated subset of throughput, latency,
 * idle, blocking, listener, echo, connect); {@code --out DIR} (where results go, default
 * {@code task.bench/target}).
 */
public final class BenchMain {
    private static final String[] PEER_COLUMNS = { Peers.JDK, Peers.CF, Peers.PROMISE, Peers.VERTX };
    /** The listener row's server sides; its peers are shown in its note (they are not PEER_COLUMNS). */
    private static final List<String> LISTENER_SERVERS = List.of(AcceptServers.OURS, AcceptServers.SERVER_SOCKET,
            AcceptServers.NIO);

    private final boolean quick;
    private final Path out;
    private final int workers = Peers.workers();
    private final List<String> peers = Peers.standard();
    private final List<String> ours = new ArrayList<>();
    /** measure -> peer -> value */
    private final Map<String, Map<String, Double>> figures = new LinkedHashMap<>();
    /** measure -> peer -> JMH's error bar (99.9%) of that figure, where JMH gives one */
    private final Map<String, Map<String, Double>> errors = new LinkedHashMap<>();
    /** blocking: peer -> task count */
    private final Map<String, Integer> blockingCounts = new LinkedHashMap<>();

    private BenchMain(boolean quick, Path out) {
        this.quick = quick;
        this.out = out;
        for (String peer : peers) {
            if (peer.startsWith("ours")) {
                ours.add(peer);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean jfr = false;
        String only = "throughput,latency,idle,blocking,listener,echo,connect";
        Path out = Paths.get("task.bench", "target");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
            case "--quick":
                quick = true;
                break;
            case "--jfr":
                jfr = true;
                break;
            case "--only":
                only = args[++i];
                break;
            case "--out":
                out = Paths.get(args[++i]);
                break;
            default:
                System.err.println("usage: bench [--quick] [--jfr] [--only throughput,latency,idle,blocking,listener,echo,connect] [--out DIR]");
                System.exit(2);
            }
        }
        Files.createDirectories(out);
        BenchMain bench = new BenchMain(quick, out);
        if (jfr) {
            bench.profile();
            return;
        }
        long start = System.nanoTime();
        List<String> measures = List.of(only.split(","));
        if (measures.contains("throughput")) {
            bench.throughput();
        }
        if (measures.contains("latency")) {
            bench.latency();
        }
        if (measures.contains("idle")) {
            bench.idle();
        }
        if (measures.contains("blocking")) {
            bench.blocking();
        }
        if (measures.contains("listener")) {
            bench.listener();
        }
        if (measures.contains("echo")) {
            bench.echo();
        }
        if (measures.contains("connect")) {
            bench.connect();
        }
        Table table = bench.table();
        String text = table.render();
        System.out.println();
        System.out.print(text);
        System.out.printf(Locale.ROOT, "(measured in %.1f min)%n", (System.nanoTime() - start) / 60e9);
        Files.write(out.resolve("bench-results.txt"), text.getBytes(StandardCharsets.UTF_8));
        String json = table.json();
        Files.write(out.resolve("bench-results.json"), json.getBytes(StandardCharsets.UTF_8));
        Files.write(out.resolve("bench-results-jdk" + Runtime.version().feature() + ".json"),
                json.getBytes(StandardCharsets.UTF_8));
        System.out.println("JSON: " + out.resolve("bench-results.json"));
    }

    private static void progress(String what) {
        System.err.println("[bench] " + what);
    }

    // ------------------------------------------------------------------ JMH measures

    private ChainedOptionsBuilder jmh(Class<?> benchmark, String log) {
        return new OptionsBuilder()
                .include("^" + benchmark.getName().replace(".", "\\.") + "\\.")
                .forks(1)
                .threads(1)
                .jvmArgs("-Xms1g", "-Xmx1g", "-Dbench.workers=" + workers)
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(out.resolve(log.replace(".log", "-jdk" + Runtime.version().feature() + ".json")).toString())
                .output(out.resolve(log.replace(".log", "-jdk" + Runtime.version().feature() + ".log")).toString());
    }

    private void throughput() throws Exception {
        progress("throughput and allocation, " + ThroughputBench.IN_FLIGHT + " in flight, peers " + peers
                + ", " + workers + " workers (log: " + out.resolve("jmh-throughput-jdk*.log") + ")");
        Collection<RunResult> results = new Runner(jmh(ThroughputBench.class, "jmh-throughput.log")
                .param("peer", peers.toArray(new String[0]))
                .addProfiler(GCProfiler.class)
                .warmupIterations(quick ? 1 : 4).warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .build()).run();
        for (RunResult result : results) {
            String peer = result.getParams().getParam("peer");
            String measure = "burst".equals(result.getParams().getParam("pattern")) ? "throughput.burst"
                    : "throughput";
            put(measure, peer, result.getPrimaryResult().getScore());
            putError(measure, peer, result.getPrimaryResult().getScoreError());
            Result<?> alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
            if (alloc != null && measure.equals("throughput")) {
                put("alloc", peer, alloc.getScore());
                putError("alloc", peer, alloc.getScoreError());
            }
        }
    }

    private void latency() throws Exception {
        progress("single-task latency (log: " + out.resolve("jmh-latency-jdk*.log") + ")");
        Collection<RunResult> results = new Runner(jmh(LatencyBench.class, "jmh-latency.log")
                .param("peer", peers.toArray(new String[0]))
                .warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .build()).run();
        for (RunResult result : results) {
            String peer = result.getParams().getParam("peer");
            Result<?> primary = result.getPrimaryResult();
            if (primary instanceof SampleTimeResult) {
                put("latency.p50", peer, primary.getStatistics().getPercentile(50.0));
                put("latency.p99", peer, primary.getStatistics().getPercentile(99.0));
            }
        }
        List<String> command = javaCommand("-Xmx256m");
        command.add(WakeupFloor.class.getName());
        command.add(quick ? "20000" : "200000");
        progress("one thread wake-up with every core otherwise idle (park/unpark ping-pong)");
        for (String[] line : runForResults(command, 300)) {
            put("wakeup." + line[2], "floor", Double.parseDouble(line[3]));
        }
    }

    private void listener() throws Exception {
        progress("listener accept rate on 127.0.0.1, " + ListenerBench.CLIENT_THREADS + " client threads, "
                + ListenerBench.PER_INVOCATION + " connections per call: " + LISTENER_SERVERS
                + " (log: " + out.resolve("jmh-listener-jdk*.log") + ")");
        Collection<RunResult> results = new Runner(jmh(ListenerBench.class, "jmh-listener.log")
                .param("server", LISTENER_SERVERS.toArray(new String[0]))
                .warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .build()).run();
        for (RunResult result : results) {
            put("listener", result.getParams().getParam("server"), result.getPrimaryResult().getScore());
        }
    }

    private void echo() throws Exception {
        progress("echo on 127.0.0.1: " + List.of(EchoServers.OURS, EchoServers.NETTY, EchoServers.VERTX)
                + ", 1 and 100 clients (log: " + out.resolve("jmh-echo-jdk*.log") + ")");
        Collection<RunResult> results = new Runner(jmh(EchoBench.class, "jmh-echo.log")
                .warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .build()).run();
        for (RunResult result : results) {
            String method = result.getParams().getBenchmark().replaceAll(".*\\.", "");
            String measure = "echo." + method + "." + result.getParams().getParam("clients");
            String server = result.getParams().getParam("server");
            put(measure, server, result.getPrimaryResult().getScore());
            putError(measure, server, result.getPrimaryResult().getScoreError());
        }
    }

    private void connect() throws Exception {
        progress("connect rate to 127.0.0.1, " + ConnectBench.IN_FLIGHT + " in flight: ours, vertx (log: "
                + out.resolve("jmh-connect-jdk*.log") + ")");
        Collection<RunResult> results = new Runner(jmh(ConnectBench.class, "jmh-connect.log")
                .warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .build()).run();
        for (RunResult result : results) {
            String client = result.getParams().getParam("client");
            put("connect", client, result.getPrimaryResult().getScore());
            putError("connect", client, result.getPrimaryResult().getScoreError());
        }
    }

    // ------------------------------------------------------------------ measures in their own JVM

    private void idle() throws Exception {
        List<String> command = javaCommand("-Xms1g", "-Xmx1g", "-Dbench.workers=" + workers);
        command.add(IdleCpu.class.getName());
        command.add(quick ? "3" : "10");
        command.add(IdleCpu.NONE);
        command.addAll(peers);
        progress("idle CPU over " + (quick ? 3 : 10) + " s each: " + IdleCpu.NONE + ", " + peers);
        for (String[] line : runForResults(command, 600)) {
            put("idle", line[2], Double.parseDouble(line[3]));
        }
    }

    private void blocking() throws Exception {
        boolean virtual = Peers.hasVirtualThreads();
        int oursCount = quick ? (virtual ? 10_000 : 500) : (virtual ? 100_000 : 1_000);
        // Counts the peers finish in seconds: Vert.x runs 20 workers at a time;
        // CompletableFuture's default executor on two cores is a new thread
        // per task on JDK 17 but the common pool of parallelism 1 on JDK 25.
        Map<String, Integer> runs = new LinkedHashMap<>();
        runs.put(Peers.OURS_DEFAULT, oursCount);
        runs.put(Peers.CF_COMMON, quick ? 50 : 200);
        runs.put(Peers.VERTX_DEFAULT, quick ? 200 : 1_000);
        for (Map.Entry<String, Integer> run : runs.entrySet()) {
            progress("blocking scale: " + run.getKey() + ", " + run.getValue() + " tasks sleeping 100 ms, -Xmx1g");
            List<String> command = javaCommand("-Xmx1g");
            command.add(BlockingScale.class.getName());
            command.add(run.getKey());
            command.add(String.valueOf(run.getValue()));
            command.add("100");
            for (String[] line : runForResults(command, 900)) {
                double seconds = Double.parseDouble(line[4]);
                blockingCounts.put(line[2], Integer.parseInt(line[3]));
                put("blocking.seconds", line[2], seconds);
                put("blocking.rate", line[2], Integer.parseInt(line[3]) / seconds);
            }
        }
    }

    private static List<String> javaCommand(String... jvmArgs) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmArgs));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        return command;
    }

    /** Runs a JVM; returns its "RESULT ..." lines split on blanks; its other output goes to stderr. */
    private static List<String[]> runForResults(List<String> command, long timeoutSeconds)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String[]> results = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    results.add(line.trim().split("\\s+"));
                } else {
                    System.err.println("  | " + line);
                }
            }
        }
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("exit " + process.exitValue() + ": " + command);
        }
        return results;
    }

    private void put(String measure, String peer, double value) {
        figures.computeIfAbsent(measure, m -> new LinkedHashMap<>()).put(peer, value);
    }

    private Double get(String measure, String peer) {
        Map<String, Double> byPeer = figures.get(measure);
        return byPeer == null ? null : byPeer.get(peer);
    }

    // ------------------------------------------------------------------ the table

    private Table table() {
        Table table = new Table(quick, workers);
        for (String mine : ours) {
            String label = label(mine);
            table.row("Round-trip throughput, 1,000 in flight " + label, "round trips/s", true,
                    get("throughput", mine), peerFigures("throughput"), null, 1.5, "ratio >= 1.5", "%,.0f")
                    .errors = errorFigures("throughput", mine);
            table.row("Round-trip throughput, bursts of 1,000 " + label, "round trips/s", true,
                    get("throughput.burst", mine), peerFigures("throughput.burst"), null, 1.5, "ratio >= 1.5",
                    "%,.0f").errors = errorFigures("throughput.burst", mine);
        }
        for (String mine : ours) {
            Row median = table.row("Latency median " + label(mine), "us", false, get("latency.p50", mine),
                    peerFigures("latency.p50"), null, 0.5, "ratio <= 0.5", "%.1f");
            median.note = String.format(Locale.ROOT, "one thread wake-up with every core otherwise idle"
                    + " (park/unpark ping-pong, one way): median %.1f us, p99 %.1f us", nanIfAbsent(get("wakeup.p50", "floor")),
                    nanIfAbsent(get("wakeup.p99", "floor")));
            table.row("Latency p99 " + label(mine), "us", false, get("latency.p99", mine),
                    peerFigures("latency.p99"), null, 1.0, "ratio <= 1.0", "%.1f");
        }
        for (String mine : ours) {
            table.row("Allocation per round trip " + label(mine), "B/op", false, get("alloc", mine),
                    peerFigures("alloc"), Peers.JDK, 1.0, "<= jdk's", "%.0f").errors = errorFigures("alloc", mine);
        }
        for (String mine : ours) {
            Row row = table.row("Idle CPU, no tasks " + label(mine), "% of one core", false, get("idle", mine),
                    peerFigures("idle"), null, Double.NaN, "< 1 %", "%.2f");
            Double value = get("idle", mine);
            row.met = value == null ? null : value < 1.0;
            row.note = String.format(Locale.ROOT, "JVM alone: %.2f %%", get("idle", IdleCpu.NONE) == null
                    ? Double.NaN : get("idle", IdleCpu.NONE));
        }
        Map<String, Double> blockingPeers = new LinkedHashMap<>();
        putIfPresent(blockingPeers, Peers.CF, get("blocking.rate", Peers.CF_COMMON));
        putIfPresent(blockingPeers, Peers.VERTX, get("blocking.rate", Peers.VERTX_DEFAULT));
        Row blocking = table.row("Blocking scale, workers sleep 100 ms, -Xmx1g " + label(Peers.OURS_DEFAULT),
                "tasks/s", true, get("blocking.rate", Peers.OURS_DEFAULT), blockingPeers, null, Double.NaN,
                "100,000 in <= 1 s", "%,.0f");
        Double seconds = get("blocking.seconds", Peers.OURS_DEFAULT);
        Integer count = blockingCounts.get(Peers.OURS_DEFAULT);
        blocking.met = seconds == null || count == null ? null : count >= 100_000 && seconds <= 1.0;
        blocking.note = blockingNote();
        Map<String, Double> acceptPeers = new LinkedHashMap<>();
        putIfPresent(acceptPeers, AcceptServers.SERVER_SOCKET, get("listener", AcceptServers.SERVER_SOCKET));
        putIfPresent(acceptPeers, AcceptServers.NIO, get("listener", AcceptServers.NIO));
        Row listener = table.row("Listener accept rate (loopback, " + ListenerBench.CLIENT_THREADS
                + " client threads) (ours: NetListener)", "connections/s", true, get("listener", AcceptServers.OURS),
                acceptPeers, null, 0.9, ">= 0.9 x faster of ServerSocket/NIO loop", "%,.0f");
        listener.note = listenerNote(acceptPeers);
        for (String clients : List.of("1", "100")) {
            echoRow(table, "Echo stream, " + clients + (clients.equals("1") ? " client" : " clients"), "MB/s",
                    "echo.stream." + clients, "%,.0f");
        }
        for (String clients : List.of("1", "100")) {
            echoRow(table, "Echo 64-byte request/response, " + clients + (clients.equals("1") ? " client" : " clients"),
                    "messages/s", "echo.requests." + clients, "%,.0f");
        }
        Map<String, Double> connectPeers = new LinkedHashMap<>();
        putIfPresent(connectPeers, Peers.VERTX, get("connect", ConnectClients.VERTX));
        Row connect = table.row("Connect rate, " + ConnectBench.IN_FLIGHT + " in flight (ours: Connector)",
                "connections/s", true, get("connect", ConnectClients.OURS), connectPeers, null, 0.9,
                ">= 0.9 x vertx NetClient", "%,.0f");
        connect.errors = errorFigures("connect", ConnectClients.OURS);
        return table;
    }

    /** A row of the echo benchmark: ours (NetListener, the listen operation) against Netty and Vert.x. */
    private void echoRow(Table table, String what, String unit, String measure, String format) {
        Map<String, Double> echoPeers = new LinkedHashMap<>();
        putIfPresent(echoPeers, Peers.VERTX, get(measure, EchoServers.VERTX));
        putIfPresent(echoPeers, EchoServers.NETTY, get(measure, EchoServers.NETTY));
        Row row = table.row(what + " (ours: NetListener echo)", unit, true, get(measure, EchoServers.OURS),
                echoPeers, null, 1.0, ">= 1.0 x faster of Netty/Vert.x", format);
        row.errors = errorFigures(measure, EchoServers.OURS);
        Double netty = get(measure, EchoServers.NETTY);
        if (netty != null) {
            Double nettyError = errors.getOrDefault(measure, Map.of()).get(EchoServers.NETTY);
            row.note = String.format(Locale.ROOT, "netty (not a column): " + format + "%s", netty,
                    nettyError == null ? "" : String.format(Locale.ROOT, " +/- " + format, nettyError));
        }
    }

    private static double nanIfAbsent(Double value) {
        return value == null ? Double.NaN : value;
    }

    private String label(String peer) {
        switch (peer) {
        case Peers.OURS:
            return "(ours: " + workers + " platform threads)";
        case Peers.OURS_VIRTUAL:
            return "(ours: virtual threads, the JDK 21+ default)";
        case Peers.OURS_DEFAULT:
            return Peers.hasVirtualThreads() ? "(ours: defaults = a platform thread per core + virtual threads)"
                    : "(ours: defaults = 64 platform threads)";
        default:
            return "(" + peer + ")";
        }
    }

    private String blockingNote() {
        StringBuilder note = new StringBuilder();
        for (String peer : List.of(Peers.OURS_DEFAULT, Peers.CF_COMMON, Peers.VERTX_DEFAULT)) {
            Double seconds = get("blocking.seconds", peer);
            Integer count = blockingCounts.get(peer);
            if (seconds != null && count != null) {
                if (note.length() > 0) {
                    note.append("; ");
                }
                note.append(String.format(Locale.ROOT, "%s: %,d tasks in %.2f s", peer, count, seconds));
            }
        }
        return note.toString();
    }

    private static String listenerNote(Map<String, Double> acceptPeers) {
        if (acceptPeers.isEmpty()) {
            return "";
        }
        StringBuilder note = new StringBuilder("peers (not columns): ");
        int i = 0;
        for (Map.Entry<String, Double> peer : acceptPeers.entrySet()) {
            note.append(i++ == 0 ? "" : ", ").append(AcceptServers.SERVER_SOCKET.equals(peer.getKey())
                    ? "blocking ServerSocket loop" : "NIO selector loop")
                    .append(String.format(Locale.ROOT, " %,.0f/s", peer.getValue()));
        }
        return note.toString();
    }

    private static void putIfPresent(Map<String, Double> map, String key, Double value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    private void putError(String measure, String peer, double error) {
        if (!Double.isNaN(error)) {
            errors.computeIfAbsent(measure, m -> new LinkedHashMap<>()).put(peer, error);
        }
    }

    /** The error bars of a row: ours (under "ours") and the peer columns', as far as JMH gave them. */
    private Map<String, Double> errorFigures(String measure, String mine) {
        Map<String, Double> byPeer = errors.getOrDefault(measure, Map.of());
        Map<String, Double> result = new LinkedHashMap<>();
        putIfPresent(result, "ours", byPeer.get(mine));
        for (String peer : PEER_COLUMNS) {
            putIfPresent(result, peer, byPeer.get(peer));
        }
        return result;
    }

    private Map<String, Double> peerFigures(String measure) {
        Map<String, Double> result = new LinkedHashMap<>();
        for (String peer : PEER_COLUMNS) {
            putIfPresent(result, peer, get(measure, peer));
        }
        return result;
    }

    /** One line of the table. */
    static final class Row {
        String measure;
        String unit;
        boolean higherBetter;
        Double ours;
        Map<String, Double> peers;
        /** JMH's error bars (99.9%) of ours ("ours") and the peers' figures, or null where JMH gives none. */
        Map<String, Double> errors;
        String bestPeer;
        Double ratio;
        String target;
        Boolean met;
        String note;
        String format;
    }

    /** The table, as text and as JSON. */
    static final class Table {
        final List<Row> rows = new ArrayList<>();
        final boolean quick;
        final int workers;

        Table(boolean quick, int workers) {
            this.quick = quick;
            this.workers = workers;
        }

        /**
         * @param against the peer the target compares with, or null for the best peer
         * @param targetRatio the ratio to meet (>= if higher is better, else <=), or NaN if not a ratio
         */
        Row row(String measure, String unit, boolean higherBetter, Double ours, Map<String, Double> peers,
                String against, double targetRatio, String target, String format) {
            Row row = new Row();
            row.measure = measure;
            row.unit = unit;
            row.higherBetter = higherBetter;
            row.ours = ours;
            row.peers = peers;
            row.target = target;
            row.format = format;
            for (Map.Entry<String, Double> peer : peers.entrySet()) {
                if (row.bestPeer == null || (higherBetter ? peer.getValue() > peers.get(row.bestPeer)
                        : peer.getValue() < peers.get(row.bestPeer))) {
                    row.bestPeer = peer.getKey();
                }
            }
            if (ours != null && row.bestPeer != null && peers.get(row.bestPeer) != 0) {
                row.ratio = ours / peers.get(row.bestPeer);
            }
            if (!Double.isNaN(targetRatio) && ours != null) {
                Double base = against != null ? peers.get(against) : (row.bestPeer == null ? null : peers.get(row.bestPeer));
                if (base != null && base != 0) {
                    double ratio = ours / base;
                    row.met = higherBetter ? ratio >= targetRatio : ratio <= targetRatio;
                }
            }
            rows.add(row);
            return row;
        }

        String render() {
            List<String[]> cells = new ArrayList<>();
            List<String> header = new ArrayList<>(List.of("Measure", "Unit", "ours"));
            header.addAll(List.of(PEER_COLUMNS));
            header.addAll(List.of("best peer", "ours/best", "target", "met"));
            cells.add(header.toArray(new String[0]));
            for (Row row : rows) {
                List<String> line = new ArrayList<>(List.of(row.measure, row.unit, cell(row, "ours", row.ours)));
                for (String peer : PEER_COLUMNS) {
                    line.add(cell(row, peer, row.peers.get(peer)));
                }
                line.add(row.bestPeer == null ? "-" : row.bestPeer);
                line.add(row.ratio == null ? "-" : String.format(Locale.ROOT, "%.2f", row.ratio));
                line.add(row.target);
                line.add(row.met == null ? "-" : row.met ? "yes" : "NO");
                cells.add(line.toArray(new String[0]));
            }
            int[] widths = new int[header.size()];
            for (String[] line : cells) {
                for (int i = 0; i < line.length; i++) {
                    widths[i] = Math.max(widths[i], line[i].length());
                }
            }
            StringBuilder text = new StringBuilder();
            text.append(String.format(Locale.ROOT, "task.bench - %s - JDK %s (%s) - %d cores - %d workers%s%n",
                    ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME.withLocale(Locale.ROOT))
                            .replaceAll("\\.\\d+", ""),
                    Runtime.version(), System.getProperty("java.vm.name"),
                    Runtime.getRuntime().availableProcessors(), workers, quick ? " - QUICK (imprecise)" : ""));
            for (int r = 0; r < cells.size(); r++) {
                String[] line = cells.get(r);
                text.append("| ");
                for (int i = 0; i < line.length; i++) {
                    boolean left = i < 2 || i >= line.length - 2;
                    text.append(left ? pad(line[i], widths[i], false) : pad(line[i], widths[i], true)).append(" | ");
                }
                text.setLength(text.length() - 1);
                text.append(System.lineSeparator());
                if (r == 0) {
                    text.append("|");
                    for (int width : widths) {
                        text.append("-".repeat(width + 2)).append("|");
                    }
                    text.append(System.lineSeparator());
                }
            }
            for (Row row : rows) {
                if (row.note != null && !row.note.isEmpty()) {
                    text.append("  ").append(row.measure).append(": ").append(row.note).append(System.lineSeparator());
                }
            }
            text.append("  Columns: cf and vertx in the blocking row are CompletableFuture on the common pool and")
                    .append(" Vert.x's default worker pool (20 threads), with the counts in its note.")
                    .append(System.lineSeparator());
            text.append("  The listener row's peers (serversocket, nio) and the echo rows' netty are not columns:")
                    .append(" see the best peer and the note.").append(System.lineSeparator());
            return text.toString();
        }

        private static String pad(String s, int width, boolean right) {
            String fill = " ".repeat(Math.max(0, width - s.length()));
            return right ? fill + s : s + fill;
        }

        /** @return the figure, with JMH's error bar (99.9%) where the row has one for {@code key} */
        private static String cell(Row row, String key, Double value) {
            Double error = row.errors == null || value == null ? null : row.errors.get(key);
            return error == null || error.isNaN() ? fmt(row.format, value)
                    : fmt(row.format, value) + " +/- " + fmt(row.format, error);
        }

        private static String fmt(String format, Double value) {
            return value == null ? "-" : String.format(Locale.ROOT, format, value);
        }

        String json() {
            StringBuilder json = new StringBuilder("{\n");
            json.append("  \"date\": ").append(str(ZonedDateTime.now().toString())).append(",\n");
            json.append("  \"jdk\": ").append(str(Runtime.version().toString())).append(",\n");
            json.append("  \"vm\": ").append(str(System.getProperty("java.vm.name"))).append(",\n");
            json.append("  \"cores\": ").append(Runtime.getRuntime().availableProcessors()).append(",\n");
            json.append("  \"workers\": ").append(workers).append(",\n");
            json.append("  \"quick\": ").append(quick).append(",\n");
            json.append("  \"rows\": [\n");
            for (int r = 0; r < rows.size(); r++) {
                Row row = rows.get(r);
                json.append("    {\"measure\": ").append(str(row.measure))
                        .append(", \"unit\": ").append(str(row.unit))
                        .append(", \"better\": ").append(str(row.higherBetter ? "higher" : "lower"))
                        .append(", \"ours\": ").append(num(row.ours))
                        .append(", \"peers\": {");
                int i = 0;
                for (Map.Entry<String, Double> peer : row.peers.entrySet()) {
                    json.append(i++ == 0 ? "" : ", ").append(str(peer.getKey())).append(": ").append(num(peer.getValue()));
                }
                json.append("}");
                if (row.errors != null) {
                    json.append(", \"errors_99_9\": {");
                    i = 0;
                    for (Map.Entry<String, Double> error : row.errors.entrySet()) {
                        json.append(i++ == 0 ? "" : ", ").append(str(error.getKey())).append(": ")
                                .append(num(error.getValue()));
                    }
                    json.append("}");
                }
                json.append(", \"best_peer\": ").append(row.bestPeer == null ? "null" : str(row.bestPeer))
                        .append(", \"ratio_to_best_peer\": ").append(num(row.ratio))
                        .append(", \"target\": ").append(str(row.target))
                        .append(", \"met\": ").append(row.met == null ? "null" : row.met.toString())
                        .append(", \"note\": ").append(row.note == null ? "null" : str(row.note))
                        .append("}").append(r + 1 < rows.size() ? ",\n" : "\n");
            }
            json.append("  ]\n}\n");
            return json.toString();
        }

        private static String num(Double value) {
            return value == null || value.isNaN() || value.isInfinite() ? "null"
                    : String.format(Locale.ROOT, "%.4f", value);
        }

        private static String str(String s) {
            StringBuilder quoted = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') {
                    quoted.append('\\').append(c);
                } else if (c < 0x20) {
                    quoted.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                } else {
                    quoted.append(c);
                }
            }
            return quoted.append('"').toString();
        }
    }

    // ------------------------------------------------------------------ profile

    /** --jfr: the throughput benchmark of ours and of the JDK executors, each under a JFR recording. */
    private void profile() throws Exception {
        Path dir = out.resolve("jfr").toAbsolutePath();
        Files.createDirectories(dir);
        for (String peer : List.of(Peers.OURS, Peers.JDK)) {
            Path recording = dir.resolve("throughput-" + peer + ".jfr");
            progress("JFR of the throughput benchmark, " + peer + " -> " + recording);
            new Runner(jmh(ThroughputBench.class, "jmh-jfr-" + peer + ".log")
                    .param("peer", peer)
                    .param("pattern", "steady")
                    .jvmArgsAppend("-XX:StartFlightRecording=settings=profile,filename=" + recording)
                    .warmupIterations(2).warmupTime(TimeValue.seconds(2))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(2))
                    .build()).run();
            System.out.println();
            System.out.println("=== " + peer + ": " + recording);
            JfrSummary.print(recording, 15, System.out);
        }
    }
}
