package task.bench;

/**
 * Blocking scale (not JMH): {@code count} round trips whose workers each
 * block ({@code sleepMillis}, a sleep), all started at once from the loop;
 * the wall time until the last callback has run on the loop. A warm-up of
 * a tenth of the count (and of the sleep) comes first. Meant to run in its
 * own JVM with {@code -Xmx1g}.
 * <p>
 * {@code java -Xmx1g task.bench.BlockingScale PEER COUNT SLEEP_MS} prints
 * {@code RESULT blocking PEER COUNT SECONDS}.
 */
public final class BlockingScale {
    private BlockingScale() {
    }

    public static void main(String[] args) throws Exception {
        String peer = args[0];
        int count = Integer.parseInt(args[1]);
        long sleepMillis = Long.parseLong(args[2]);
        double seconds = run(peer, count, sleepMillis, 600);
        System.out.println("RESULT blocking " + peer + " " + count + " " + seconds);
    }

    /**
     * @return the wall time of the measured run, in seconds
     */
    public static double run(String peerName, int count, long sleepMillis, long timeoutSeconds)
            throws InterruptedException {
        try (Peer peer = Peers.start(peerName, Peers.workers())) {
            int warm = Math.max(1, count / 10);
            new Window(peer, Work.sleeping(Math.max(1, sleepMillis / 10)), false, false).run(warm, warm, timeoutSeconds);
            Window window = new Window(peer, Work.sleeping(sleepMillis), true, false);
            long start = System.nanoTime();
            window.run(count, count, timeoutSeconds);
            return (System.nanoTime() - start) / 1e9;
        }
    }
}
