package task.shell;

/**
 * A task command whose operation failed: the message is the operation's
 * own (for example {@code connect: could not connect to ...}), the cause is
 * its error. Its {@link #toString()} is the message alone, for the reason
 * {@link UsageError} gives.
 */
final class CommandFailure extends Exception {
    private static final long serialVersionUID = 1L;

    CommandFailure(Throwable cause) {
        super(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
    }

    @Override
    public String toString() {
        return getMessage();
    }
}
