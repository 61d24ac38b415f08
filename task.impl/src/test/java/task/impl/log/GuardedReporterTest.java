package task.impl.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The reporter every part of the runtime reports through never throws, whatever fails beneath it. */
class GuardedReporterTest {
    /** Throws from every call, the way a logger fails when no time-zone data can be read. */
    private static final Reporter BROKEN = new Reporter() {
        @Override
        public void warn(String message, Throwable failure) {
            throw new ExceptionInInitializerError("no zone data (expected by the test)");
        }

        @Override
        public void debug(String message, Throwable failure) {
            throw new OutOfMemoryError("debug (expected by the test)");
        }
    };

    @Test
    void aThrowingReporterFallsBackToAPlainLineOnStandardError() {
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(written, true, StandardCharsets.UTF_8));
        try {
            Reporter guarded = Reporter.guarded(BROKEN);
            guarded.warn("context 'x': an event threw", new IllegalStateException("the event's failure"));
            guarded.info("task 'y' (#2): finished with an error", null);
        } finally {
            System.setErr(original);
        }
        String text = written.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("task.runtime WARNING: context 'x': an event threw [the reporter failed with"
                + " java.lang.ExceptionInInitializerError]"), text);
        assertTrue(text.contains("java.lang.IllegalStateException: the event's failure"), "with the stack: " + text);
        assertTrue(text.contains("task.runtime INFO: task 'y' (#2): finished with an error"), text);
    }

    @Test
    void theLastResortSwallowsAThrowingStandardErrorAndCountsTheLoss() {
        PrintStream original = System.err;
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                throw new IllegalStateException("stderr is gone (expected by the test)");
            }
        }) {
            @Override
            public void println(String line) {
                throw new StackOverflowError("stderr overflows (expected by the test)");
            }
        });
        long before = Reporter.droppedReports();
        try {
            Reporter guarded = Reporter.guarded(BROKEN);
            guarded.warn("lost", new IllegalStateException("the failure"));
            guarded.info("lost too", null);
            guarded.debug("dropped without a try", null);
        } finally {
            System.setErr(original);
        }
        assertTrue(Reporter.droppedReports() - before >= 3, "each lost report counted");
    }

    @Test
    void guardingIsIdempotentAndPassesReportsThrough() {
        StringBuilder seen = new StringBuilder();
        Reporter plain = new Reporter() {
            @Override
            public void warn(String message, Throwable failure) {
                seen.append("warn:").append(message).append(';');
            }

            @Override
            public void debug(String message, Throwable failure) {
                seen.append("debug:").append(message).append(';');
            }
        };
        Reporter guarded = Reporter.guarded(plain);
        assertSame(guarded, Reporter.guarded(guarded));
        guarded.warn("a", null);
        guarded.info("b", null); // a reporter without info: as a warning
        guarded.debug("c", null);
        ReportLevel.OFF.report(guarded, "d", null);
        ReportLevel.DEBUG.report(guarded, "e", null);
        assertEquals("warn:a;warn:b;debug:c;debug:e;", seen.toString());
    }
}
