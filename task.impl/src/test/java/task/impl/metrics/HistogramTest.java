package task.impl.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import task.api.metrics.Durations;

/** The histogram's buckets and percentiles, against exact ones. */
class HistogramTest {
    @Test
    void nothingRecordedIsNone() {
        assertEquals(Durations.NONE, new Histogram().snapshot());
    }

    @Test
    void everyValueFallsInABucketThatHoldsItWithinOnePercent() {
        for (long v = 0; v < 1L << 42; v = v < 1000 ? v + 1 : v + v / 97) {
            int i = Histogram.index(v);
            assertTrue(Histogram.lowest(i) <= v && v <= Histogram.highest(i), v + " in bucket " + i);
            assertTrue(Histogram.highest(i) - Histogram.lowest(i) <= Math.max(0, v / 100), "width at " + v);
        }
    }

    @Test
    void percentilesOfOneToTenThousandAreWithinOnePercent() {
        Histogram h = new Histogram();
        for (long v = 10_000; v >= 1; v--) {
            h.record(v * 1000);
        }
        Durations d = h.snapshot();
        assertEquals(10_000, d.count());
        assertNear(5_000_000, d.medianNanos());
        assertNear(9_000_000, d.p90Nanos());
        assertNear(9_900_000, d.p99Nanos());
        assertNear(10_000_000, d.maxNanos());
    }

    @Test
    void negativeAndHugeValuesAreClamped() {
        Histogram h = new Histogram();
        h.record(-5);
        h.record(Long.MAX_VALUE);
        Durations d = h.snapshot();
        assertEquals(2, d.count());
        assertEquals(0, d.medianNanos());
        assertNear(1L << 42, d.maxNanos());
    }

    private static void assertNear(long expected, long actual) {
        assertTrue(Math.abs(expected - actual) <= expected / 100, "expected ~" + expected + ", was " + actual);
    }
}
