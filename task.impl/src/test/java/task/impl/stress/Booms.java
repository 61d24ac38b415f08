package task.impl.stress;

/** The failures the stress tests inject, cheap (no stack trace) and naming their task. */
final class Booms {
    private Booms() {
    }

    /** A checked exception a worker throws or sets. */
    static final class WorkerFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final int index;

        WorkerFailure(int index) {
            super("worker failure of task #" + index, null, true, false);
            this.index = index;
        }
    }

    /** An Error a worker throws. */
    static final class WorkerAssertionError extends AssertionError {
        private static final long serialVersionUID = 1L;
        final int index;

        WorkerAssertionError(int index) {
            super("worker Error of task #" + index);
            this.index = index;
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** What a callback throws. */
    static final class CallbackBoom extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int index;

        CallbackBoom(int index) {
            super("callback of task #" + index + " throws", null, true, false);
            this.index = index;
        }
    }
}
