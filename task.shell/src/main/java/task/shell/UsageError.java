package task.shell;

/**
 * A wrong call of a task command: the message names the command and the
 * argument, and ends with the usage line. Its {@link #toString()} is that
 * message alone, since shells print a failure's {@code toString()} (Gogo's
 * JLine shell does) and the class name says nothing to the person typing.
 */
final class UsageError extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
        super(message);
    }

    UsageError(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String toString() {
        return getMessage();
    }
}
