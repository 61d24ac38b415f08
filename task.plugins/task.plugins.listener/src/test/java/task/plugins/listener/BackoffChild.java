package task.plugins.listener;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import task.api.EventContext;
import task.impl.TaskRuntime;

/**
 * The child JVM of {@link AcceptBackoffTest}, started with a low descriptor
 * limit: an echo service on a {@link NetListener}, and every log record
 * counted instead of written. It talks to the test over its standard
 * streams, one line each way:
 * <ul>
 * <li>prints {@code child: listening PORT} once it serves;</li>
 * <li>prints {@code child: stalled} once the listener has reported as many
 * failed accepts as its argument says;</li>
 * <li>on {@code report}, prints {@code child: figures} and its counts as
 * {@code name=value} pairs;</li>
 * <li>on {@code quit} or end of input, disconnects and exits with 0.</li>
 * </ul>
 * Everything the stall runs through (logging, timers, the echo service's
 * classes) is used once before the test floods it: out of descriptors, the
 * JVM cannot open a class file or the logging configuration any more.
 */
final class BackoffChild {
    /** The child's own backstop: it halts after this, whatever the test does. */
    static final long LIFETIME_SECONDS = 150;
    /** The log records printed for diagnostics at most; the rest are only counted. */
    private static final int SHOWN = 20;

    private static final AtomicInteger records = new AtomicInteger();
    private static final AtomicInteger failures = new AtomicInteger();
    private static final AtomicInteger recordsWithThrown = new AtomicInteger();
    private static final AtomicInteger recoveries = new AtomicInteger();
    private static final AtomicReference<String> firstFailure = new AtomicReference<>("none");
    /** After how many failed accepts the child reports the stall: the first program argument. */
    private static volatile int stallFailures;

    private BackoffChild() {
    }

    public static void main(String[] args) throws Exception {
        stallFailures = Integer.parseInt(args[0]);
        startBackstop();
        Loopback.loadThePackagesClasses();
        countLogRecords();
        System.getLogger("task.plugins.listener").log(Level.INFO, "child: warm-up");
        records.set(0);

        AtomicInteger accepted = new AtomicInteger();
        try (TaskRuntime runtime = TaskRuntime.start();
                NetListener listener = new NetListener("backoff")) {
            EventContext context = runtime.contexts().start("backoff");
            CountDownLatch timerRan = new CountDownLatch(1);
            context.schedule(Duration.ZERO, timerRan::countDown);
            timerRan.await();
            // Backlog 1024: every connect of the flood completes, accepted or not.
            listener.open(new InetSocketAddress("127.0.0.1", 0), 1024);
            EchoService echo = new EchoService(context, runtime.tasks());
            listener.setClientHandler((source, client) -> {
                accepted.incrementAndGet();
                echo.onClient(source, client);
            }, context);
            echoOnce(listener.localAddress(0));
            System.out.println("child: listening " + ((InetSocketAddress) listener.localAddress(0)).getPort());

            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String command;
            while ((command = commands.readLine()) != null && !command.equals("quit")) {
                if (command.equals("report")) {
                    System.out.println("child: figures failures=" + failures.get() + " counted="
                            + listener.failedAccepts() + " records=" + records.get() + " thrown="
                            + recordsWithThrown.get() + " recoveries=" + recoveries.get() + " accepted="
                            + accepted.get() + " first=" + firstFailure.get());
                }
            }
            echo.closeAll();
        }
        System.exit(0);
    }

    /**
     * One echo round trip before the flood, which loads and initialises
     * what serving a client needs: the JDK creates a descriptor of its own
     * the first time a socket is closed (a socket pair to close others with),
     * and cannot once the process is out of them.
     */
    private static void echoOnce(SocketAddress address) throws IOException {
        try (SocketChannel client = SocketChannel.open(address)) {
            byte[] warmUp = {'w', 'a', 'r', 'm'};
            Loopback.writeFully(client, warmUp);
            if (Loopback.readFully(client, warmUp.length).length != warmUp.length) {
                throw new IOException("child: the warm-up echo failed");
            }
        }
    }

    /** A stuck child must not outlive the test: it halts after {@link #LIFETIME_SECONDS}. */
    private static void startBackstop() {
        Thread backstop = new Thread(() -> {
            try {
                TimeUnit.SECONDS.sleep(LIFETIME_SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            System.out.println("child: lifetime over, halting");
            Runtime.getRuntime().halt(3);
        }, "backstop");
        backstop.setDaemon(true);
        backstop.start();
    }

    /** Replaces the root logger's handlers with a counter that formats nothing and opens nothing. */
    private static void countLogRecords() {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        root.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (records.incrementAndGet() <= SHOWN) {
                    System.out.println("log: " + record.getLevel() + " " + record.getMessage() + " "
                            + record.getThrown());
                }
                String message = String.valueOf(record.getMessage());
                if (record.getThrown() != null) {
                    recordsWithThrown.incrementAndGet();
                }
                if (message.contains("succeed again")) {
                    recoveries.incrementAndGet();
                }
                // The listener reports each failed accept it makes as "accepting on ADDRESS failed ...".
                if (message.contains("accepting on ") && message.contains(" failed")) {
                    int failed = failures.incrementAndGet();
                    if (failed == 1) {
                        firstFailure.set(message.replace('\n', ' ') + " / " + record.getThrown());
                    }
                    if (failed == stallFailures) {
                        System.out.println("child: stalled");
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }
}
