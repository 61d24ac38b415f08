package task.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording: the hottest methods (top frame of
 * {@code jdk.ExecutionSample}, and inclusive for the runtime's own
 * {@code task.*} methods) and the top allocation sites
 * ({@code jdk.ObjectAllocationSample}, by sampled weight).
 * {@code java task.bench.JfrSummary FILE [N]}.
 */
public final class JfrSummary {
    private JfrSummary() {
    }

    public static void main(String[] args) throws IOException {
        print(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 15, System.out);
    }

    public static void print(Path file, int top, PrintStream out) throws IOException {
        Map<String, Long> selfSamples = new HashMap<>();
        Map<String, Long> inclusiveOurs = new HashMap<>();
        Map<String, Long> allocByClass = new HashMap<>();
        Map<String, Long> allocBySite = new HashMap<>();
        long samples = 0;
        long allocated = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            String type = event.getEventType().getName();
            RecordedStackTrace stack = event.getStackTrace();
            if (type.equals("jdk.ExecutionSample") && stack != null && !stack.getFrames().isEmpty()) {
                samples++;
                List<RecordedFrame> frames = stack.getFrames();
                selfSamples.merge(frame(frames.get(0)), 1L, Long::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame f : frames) {
                    String name = frame(f);
                    if (name.startsWith("task.") && seen.add(name)) {
                        inclusiveOurs.merge(name, 1L, Long::sum);
                    }
                }
            } else if (type.equals("jdk.ObjectAllocationSample")) {
                long weight = event.getLong("weight");
                allocated += weight;
                RecordedClass objectClass = event.getClass("objectClass");
                String className = objectClass == null ? "?" : objectClass.getName();
                allocByClass.merge(className, weight, Long::sum);
                String site = stack == null || stack.getFrames().isEmpty() ? "?" : site(stack.getFrames());
                allocBySite.merge(className + "  <-  " + site, weight, Long::sum);
            }
        }
        out.printf(Locale.ROOT, "Execution samples: %d%n", samples);
        printTop(out, "Hot methods (self, top frame)", selfSamples, samples, top, "samples");
        printTop(out, "Runtime methods task.* (inclusive)", inclusiveOurs, samples, top, "samples");
        out.printf(Locale.ROOT, "Sampled allocation weight: %,d bytes%n", allocated);
        printTop(out, "Allocation by class", allocByClass, allocated, top, "bytes");
        printTop(out, "Allocation sites (class <- first frames)", allocBySite, allocated, top, "bytes");
    }

    private static String frame(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    /** The allocating frame and the next two callers. */
    private static String site(List<RecordedFrame> frames) {
        StringBuilder site = new StringBuilder();
        for (int i = 0; i < Math.min(3, frames.size()); i++) {
            if (i > 0) {
                site.append(" <- ");
            }
            RecordedFrame f = frames.get(i);
            site.append(frame(f)).append(':').append(f.getLineNumber());
        }
        return site.toString();
    }

    private static void printTop(PrintStream out, String title, Map<String, Long> counts, long total, int top,
            String unit) {
        out.println(title + ":");
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> out.printf(Locale.ROOT, "  %5.1f%%  %,12d %s  %s%n",
                        total == 0 ? 0.0 : 100.0 * e.getValue() / total, e.getValue(), unit, e.getKey()));
    }
}
