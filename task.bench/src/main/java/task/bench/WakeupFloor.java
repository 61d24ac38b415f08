package task.bench;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * The cost of one thread wake-up on a machine with nothing else to do (not
 * JMH): two platform threads hand a token back and forth, each parking
 * until the other unparks it; half a round trip is one hop from
 * {@code unpark} to the parked thread running. Here every core may go idle
 * between hops, so each hop also pays for waking a sleeping core (on a
 * virtual machine, a virtual CPU): the price a runtime pays when all its
 * threads park. The latency benchmark keeps a core busy (its own thread
 * spins), so the wake-ups in its round trips cost less than this.
 * <p>
 * {@code java task.bench.WakeupFloor EXCHANGES} prints
 * {@code RESULT wakeup p50 MICROS} and {@code RESULT wakeup p99 MICROS}.
 */
public final class WakeupFloor {
    /** Whose turn it is: 0 the main thread's, 1 the partner's. */
    private static volatile int turn;

    private WakeupFloor() {
    }

    public static void main(String[] args) throws Exception {
        double[] micros = measure(Integer.parseInt(args[0]));
        System.out.println("RESULT wakeup p50 " + micros[0]);
        System.out.println("RESULT wakeup p99 " + micros[1]);
    }

    /**
     * @param exchanges how many round trips to time (a tenth more warm up first)
     * @return the median and the 99th percentile of one hop, in microseconds
     */
    static double[] measure(int exchanges) throws InterruptedException {
        turn = 0;
        Thread main = Thread.currentThread();
        Thread partner = new Thread(() -> {
            for (int i = 0; i < exchanges + exchanges / 10; i++) {
                while (turn != 1) {
                    LockSupport.park();
                }
                turn = 0;
                LockSupport.unpark(main);
            }
        }, "wakeup-partner");
        partner.setDaemon(true);
        partner.start();
        long[] hops = new long[exchanges];
        for (int i = -exchanges / 10; i < exchanges; i++) { // the first tenth warms up
            long start = System.nanoTime();
            turn = 1;
            LockSupport.unpark(partner);
            while (turn != 0) {
                LockSupport.park();
            }
            if (i >= 0) {
                hops[i] = (System.nanoTime() - start) / 2;
            }
        }
        partner.join();
        Arrays.sort(hops);
        return new double[] { hops[exchanges / 2] / 1000.0, hops[(int) (exchanges * 0.99)] / 1000.0 };
    }
}
