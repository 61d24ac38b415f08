package task.impl.stress;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The runtime's threads (named {@code task-*}: the default context, the
 * workers, and the contexts the tests start with such names), platform and
 * virtual, and the heap after a full GC.
 * <p>
 * Platform threads come from {@link Thread#getAllStackTraces()}; virtual
 * threads, which that omits, from a thread dump
 * ({@code HotSpotDiagnosticMXBean.dumpThreads}, JDK 21+, reached
 * reflectively since the tests compile for 17), which lists every virtual
 * thread started through the Thread API.
 */
final class OurThreads {
    static final String PREFIX = "task-";
    private static final Pattern DUMP_LINE = Pattern.compile("^#(\\d+) \"(.*)\"( virtual)?.*$");
    private static final long GUARD_SECONDS = 30;

    private OurThreads() {
    }

    /** @return id to name of every live thread named {@code task-*}, platform and virtual */
    static Map<Long, String> live() {
        Map<Long, String> live = new HashMap<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && thread.getName().startsWith(PREFIX)) {
                live.put(thread.getId(), thread.getName());
            }
        }
        if (Runtime.version().feature() >= 21) {
            live.putAll(dumped());
        }
        return live;
    }

    /** Waits (guarded) until no {@code task-*} thread but those in {@code baseline} lives; fails otherwise. */
    static void assertBackTo(Map<Long, String> baseline, String when) {
        // Platform threads: join those that are ending (a pool thread or a
        // context thread may still be leaving its run method).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(PREFIX) && !baseline.containsKey(thread.getId())) {
                try {
                    TimeUnit.NANOSECONDS.timedJoin(thread, Math.max(1, deadline - System.nanoTime()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail("interrupted");
                }
            }
        }
        Map<Long, String> extra;
        for (;;) {
            extra = new HashMap<>(live());
            extra.keySet().removeAll(baseline.keySet());
            if (extra.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                fail(when + ": threads of ours survive: " + extra);
            }
            Thread.yield(); // a virtual thread still leaving: poll again (hang guard above)
        }
    }

    private static Map<Long, String> dumped() {
        Map<Long, String> live = new HashMap<>();
        Path file = null;
        try {
            file = Files.createTempDirectory("threads").resolve("dump.txt");
            Class<?> beanType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
            Object bean = ManagementFactory.getPlatformMXBean(beanType.asSubclass(java.lang.management.PlatformManagedObject.class));
            Class<?> formatType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
            Object text = null;
            for (Object constant : formatType.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals("TEXT_PLAIN")) {
                    text = constant;
                }
            }
            Method dump = beanType.getMethod("dumpThreads", String.class, formatType);
            dump.invoke(bean, file.toAbsolutePath().toString(), text);
            for (String line : Files.readAllLines(file)) {
                Matcher m = DUMP_LINE.matcher(line);
                if (m.matches() && m.group(2).startsWith(PREFIX)) {
                    live.put(Long.parseLong(m.group(1)), m.group(2));
                }
            }
            return live;
        } catch (ReflectiveOperationException | IOException e) {
            throw new AssertionError("cannot dump the threads", e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                    Files.deleteIfExists(file.getParent());
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    /** @return the used heap after full collections (the least of a few readings), in bytes */
    static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }
}
