package task.bench;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * The cost of one thread wake-up on this machine (not JMH): two platform
 * threads hand a token back and forth, each parking until the other
 * unparks it; half a round trip is one hop from {@code unpark} to the parked
 * thread running. A round trip that must wake a parked thread can be no
 * faster than this, whatever the runtime: the floor under the latency rows.
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
