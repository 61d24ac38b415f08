package task.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The printed table shows JMH's error bars beside the figures that have them, and only there. */
class BenchTableTest {
    @Test
    void figuresWithAnErrorBarArePrintedWithIt() {
        BenchMain.Table table = new BenchMain.Table(false, 2);
        Map<String, Double> peers = new LinkedHashMap<>();
        peers.put(Peers.JDK, 1_000_000.0);
        peers.put(Peers.VERTX, 900_000.0);
        BenchMain.Row row = table.row("Round-trip throughput", "round trips/s", true, 1_500_000.0, peers, null, 1.5,
                "ratio >= 1.5", "%,.0f");
        Map<String, Double> errors = new LinkedHashMap<>();
        errors.put("ours", 120_000.0);
        errors.put(Peers.JDK, 80_000.0);
        row.errors = errors;
        String text = table.render();
        assertTrue(text.contains("1,500,000 +/- 120,000"), text);
        assertTrue(text.contains("1,000,000 +/- 80,000"), text);
        assertTrue(text.contains("900,000 |"), text); // no error bar given: the figure alone
    }
}
