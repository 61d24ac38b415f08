package task.impl.loop;

import java.nio.channels.SelectableChannel;

import task.api.IoCallback;

/**
 * One watch on a channel. It is active until cancelled, until its callback
 * returns false, until its channel is closed, or until its loop closes.
 */
final class IoWatch extends LoopSource {
    private final EventLoop loop;
    final SelectableChannel channel;
    final int ops;
    final IoCallback callback;

    IoWatch(EventLoop loop, SelectableChannel channel, int ops, IoCallback callback) {
        this.loop = loop;
        this.channel = channel;
        this.ops = ops;
        this.callback = callback;
    }

    @Override
    public boolean isActive() {
        return super.isActive() && channel.isOpen();
    }

    @Override
    void cancelled() {
        loop.forget(this);
    }
}
