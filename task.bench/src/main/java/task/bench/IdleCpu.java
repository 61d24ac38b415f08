package task.bench;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Idle cost (not JMH): starts a peer, runs a few round trips so that its
 * threads exist, lets it settle, then measures the process's CPU time over
 * a period with no tasks, as a percentage of one core. "none" measures the
 * JVM alone (the floor every figure includes).
 * <p>
 * {@code java task.bench.IdleCpu SECONDS PEER...} prints one line per
 * peer: {@code RESULT idle PEER PERCENT}.
 */
public final class IdleCpu {
    /** The JVM without any peer. */
    public static final String NONE = "none";

    private IdleCpu() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(args[0]);
        for (int i = 1; i < args.length; i++) {
            double percent = measure(args[i], (long) (seconds * 1000));
            System.out.println("RESULT idle " + args[i] + " " + percent);
        }
    }

    /**
     * @param peerName a peer, or {@link #NONE}
     * @param millis how long to measure
     * @return the process's CPU time over that period, in % of one core
     */
    public static double measure(String peerName, long millis) throws InterruptedException {
        Peer peer = NONE.equals(peerName) ? null : Peers.start(peerName, Peers.workers());
        try {
            if (peer != null) {
                new Window(peer, Work.ARITHMETIC, false, false).run(100, 1_000, 60);
            }
            TimeUnit.MILLISECONDS.sleep(Math.min(1_000, millis / 2));
            long cpu0 = processCpuNanos();
            long wall0 = System.nanoTime();
            TimeUnit.MILLISECONDS.sleep(millis);
            long cpu1 = processCpuNanos();
            long wall1 = System.nanoTime();
            return 100.0 * (cpu1 - cpu0) / (wall1 - wall0);
        } finally {
            if (peer != null) {
                peer.close();
            }
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
