package task.testing;

/**
 * The stress and abuse suites' two modes: the short one for CI, and the long
 * soak behind {@code -Dtask.stress.long=true}, which raises the counts.
 * {@code -Dtask.stress.seed=N} replays a run; the seed is printed in the
 * one-line {@linkplain #summary summary}.
 */
public final class StressMode {
    /** The flag that turns on the long soak, shared by all suites. */
    public static final String LONG_PROPERTY = "task.stress.long";
    /** The property that replays a run with a given seed. */
    public static final String SEED_PROPERTY = "task.stress.seed";
    /** Whether this run is the long soak. */
    public static final boolean LONG = Boolean.getBoolean(LONG_PROPERTY);

    private StressMode() {
    }

    /**
     * Picks the count of the current mode.
     *
     * @param shortCount the count in the short mode
     * @param longCount the count in the long mode
     * @return {@code shortCount} in the short mode, {@code longCount} in the long one
     */
    public static int count(int shortCount, int longCount) {
        return LONG ? longCount : shortCount;
    }

    /**
     * The seed of this run.
     *
     * @return {@code -Dtask.stress.seed} if given, else a fresh one
     */
    public static long seed() {
        String given = System.getProperty(SEED_PROPERTY);
        return given != null ? Long.parseLong(given) : System.nanoTime() ^ 0x5DEECE66DL * System.identityHashCode(new Object());
    }

    /**
     * The name of the current mode.
     *
     * @return {@code "long"} or {@code "short"}
     */
    public static String name() {
        return LONG ? "long" : "short";
    }

    /**
     * Prints the one-line summary of a test to stdout: its name, the mode,
     * the JDK, its counts, the seed and the time since {@code startNanos}.
     *
     * @param test what ran
     * @param counts what it did, in words
     * @param seed the seed it ran with
     * @param startNanos its start, from {@link System#nanoTime()}
     */
    public static void summary(String test, String counts, long seed, long startNanos) {
        System.out.printf("[stress] %s (%s mode, JDK %d): %s, seed=%d, elapsed=%.1fs%n", test, name(),
                Runtime.version().feature(), counts, seed, (System.nanoTime() - startNanos) / 1e9);
    }
}
