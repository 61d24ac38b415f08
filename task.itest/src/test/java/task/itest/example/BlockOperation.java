package task.itest.example;

import java.util.List;
import java.util.concurrent.CountDownLatch;

import task.api.Task;
import task.api.spi.Operation;
import task.api.spi.OperationRequest;

/**
 * A third party's operation whose worker blocks until it is interrupted:
 * what stays in flight when its plugin stops.
 */
public final class BlockOperation implements Operation {

    @Override
    public String name() {
        return "block";
    }

    @Override
    public String description() {
        return "blocks until cancelled (an example third-party plugin)";
    }

    @Override
    public List<Argument> arguments() {
        return List.of();
    }

    @Override
    public void start(Task<OperationRequest, Object> task) {
        task.runInThread(running -> new CountDownLatch(1).await(), null, task.source().context());
    }
}
