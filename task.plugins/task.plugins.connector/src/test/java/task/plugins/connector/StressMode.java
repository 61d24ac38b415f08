package task.plugins.connector;

/**
 * The abuse suites' two modes, as task.impl's stress suites have them: the
 * short one for CI, and the long soak behind {@code -Dtask.stress.long=true},
 * which raises the counts. {@code -Dtask.stress.seed=N} replays a run's mix
 * of clients; the seed is printed.
 */
final class StressMode {
    /** The flag that turns on the long soak, shared with the other suites. */
    static final String LONG_PROPERTY = "task.stress.long";
    static final boolean LONG = Boolean.getBoolean(LONG_PROPERTY);

    private StressMode() {
    }

    /** @return {@code shortCount} in the short mode, {@code longCount} in the long one */
    static int count(int shortCount, int longCount) {
        return LONG ? longCount : shortCount;
    }

    /** The seed: {@code -Dtask.stress.seed} if given, else a fresh one. */
    static long seed() {
        String given = System.getProperty("task.stress.seed");
        return given != null ? Long.parseLong(given) : System.nanoTime() ^ 0x5DEECE66DL * System.identityHashCode(new Object());
    }

    static String name() {
        return LONG ? "long" : "short";
    }

    /** Prints the one-line summary of a test to stdout. */
    static void summary(String test, String counts, long seed, long startNanos) {
        System.out.printf("[stress] %s (%s mode, JDK %d): %s, seed=%d, elapsed=%.1fs%n", test, name(),
                Runtime.version().feature(), counts, seed, (System.nanoTime() - startNanos) / 1e9);
    }
}
