package task.api;

/**
 * A snapshot of one open event context, for diagnostics.
 *
 * @param name the context's name
 * @param status one line: the name, who drives the context (its own thread,
 *        the thread iterating it, or an adopted executor), whether it is open or closing, how many
 *        posted events wait, and what it runs: {@code idle}, or
 *        {@code running X since T (N ms)} once the runtime's stall checker
 *        has seen that dispatch ({@code running X} before, or with the
 *        checker off)
 * @since 1.1
 */
public record ContextInfo(String name, String status) {
}
