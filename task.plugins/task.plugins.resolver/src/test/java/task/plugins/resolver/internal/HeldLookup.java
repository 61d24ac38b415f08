package task.plugins.resolver.internal;

import java.net.InetAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A lookup the test holds open: it signals {@link #entered}, then waits for
 * {@link #release}, ignoring interrupts as the system resolver does, and
 * answers 127.0.0.1. Latches give the happens-before between the threads.
 */
final class HeldLookup implements HostLookup {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();
    volatile boolean returned;

    @Override
    public InetAddress[] lookup(String host) {
        calls.incrementAndGet();
        entered.countDown();
        boolean interrupted = false;
        while (true) {
            try {
                release.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        returned = true;
        return new InetAddress[] {InetAddress.getLoopbackAddress()};
    }
}
