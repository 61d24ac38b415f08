package task.impl.osgi;

import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import task.api.EventContext;
import task.api.EventSource;
import task.api.IoCallback;
import task.impl.log.Reporter;
import task.impl.loop.EventLoop;
import task.impl.loop.LoopBacked;

/**
 * The default event context, on its own thread {@code task-default-context}.
 * Clients cannot close it; it closes, with the documented policy, when this
 * component deactivates, waiting at most the close grace of
 * {@link DirectoryComponent} for a callback still running on it.
 */
@Component(service = EventContext.class, property = EventContext.NAME_PROPERTY + "=" + EventContext.DEFAULT_NAME)
public class DefaultContextComponent implements EventContext, LoopBacked {
    private final EventLoop loop;

    /**
     * Starts the default context.
     *
     * @param reporter where failing callbacks are reported
     * @param directory where the runtime lists its contexts
     */
    @Activate
    public DefaultContextComponent(@Reference Reporter reporter, @Reference DirectoryComponent directory) {
        this.loop = directory.directory.register(EventLoop.started("task-default-context", reporter, false,
                directory.closeGrace));
    }

    @Deactivate
    void deactivate() {
        loop.shutdown();
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public String name() {
        return loop.name();
    }

    @Override
    public EventSource post(Runnable event) {
        return loop.post(event);
    }

    @Override
    public EventSource schedule(Duration delay, Runnable event) {
        return loop.schedule(delay, event);
    }

    @Override
    public EventSource every(Duration period, BooleanSupplier tick) {
        return loop.every(period, tick);
    }

    @Override
    public EventSource watch(SelectableChannel channel, int ops, IoCallback callback) {
        return loop.watch(channel, ops, callback);
    }

    @Override
    public boolean inContext() {
        return loop.inContext();
    }

    @Override
    public boolean iterate(boolean mayBlock) {
        return loop.iterate(mayBlock);
    }

    @Override
    public boolean isClosed() {
        return loop.isClosed();
    }

    @Override
    public void close() {
        loop.close();
    }

    @Override
    public String toString() {
        return loop.toString();
    }
}
