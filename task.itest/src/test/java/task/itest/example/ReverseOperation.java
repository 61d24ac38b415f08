package task.itest.example;

import java.util.List;

import task.api.Task;
import task.api.spi.Operation;
import task.api.spi.OperationRequest;

/**
 * A third party's operation, shipped in a bundle of its own that the tests
 * build from this class: {@code reverse TEXT} completes with TEXT reversed.
 * It uses nothing but the published API and SPI.
 */
public final class ReverseOperation implements Operation {

    @Override
    public String name() {
        return "reverse";
    }

    @Override
    public String description() {
        return "reverses its argument (an example third-party plugin)";
    }

    @Override
    public List<Argument> arguments() {
        return List.of(new Argument("text", "the text to reverse", true));
    }

    @Override
    public void start(Task<OperationRequest, Object> task) {
        String text = task.source().argument(0, "TEXT");
        task.runInThread(running -> running.setResult(new StringBuilder(text).reverse().toString()), null,
                task.source().context());
    }
}
