package task.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import task.api.spi.Operation.Argument;

/**
 * What a command of scope {@code task} takes: its name, what it does and
 * its arguments, for {@code help} and for the errors of a wrong call. The
 * commands take their arguments as given and check them here: as text
 * ({@code String...}, so that Gogo keeps each word as typed, where with
 * {@code Object...} it would make {@code 99999999999999999999} a Double),
 * and the operations' commands as Gogo's values (functions get them raw), so that a missing, extra or malformed argument gets a message naming
 * the command and the argument, followed by the usage line, instead of
 * Gogo's "Cannot coerce ..." (which it gives when no method signature fits).
 * Immutable; any thread.
 *
 * @param name the command's function name, without the scope
 * @param description what it does, one line
 * @param arguments its arguments in order: the required ones first
 */
record CommandUsage(String name, String description, List<Argument> arguments) {
    static final String SCOPE = "task";

    CommandUsage {
        arguments = List.copyOf(arguments);
    }

    /** @return for example {@code task:sleep COUNT MILLIS} */
    String line() {
        StringBuilder line = new StringBuilder(SCOPE).append(':').append(name);
        for (Argument argument : arguments) {
            String upper = argument.name().toUpperCase(Locale.ROOT);
            line.append(' ').append(argument.required() ? upper : "[" + upper + "]");
        }
        return line.toString();
    }

    /** @return the usage line, the description and one line per argument */
    String help() {
        StringBuilder help = new StringBuilder("usage: ").append(line()).append(System.lineSeparator())
                .append("  ").append(description);
        for (Argument argument : arguments) {
            help.append(System.lineSeparator()).append(String.format(Locale.ROOT, "  %-10s %s%s",
                    argument.name().toUpperCase(Locale.ROOT), argument.required() ? "" : "optional: ",
                    argument.description()));
        }
        return help.toString();
    }

    /**
     * Checks the number of arguments and that each is a word, not a list
     * or another value Gogo made of the text.
     *
     * @param given the arguments as Gogo passed them
     * @return them as text
     * @throws IllegalArgumentException naming the command and the argument, with the usage line
     */
    List<String> texts(Object... given) {
        long required = arguments.stream().filter(Argument::required).count();
        if (given.length < required) {
            Argument missing = arguments.get(given.length);
            throw wrong("missing " + missing.name().toUpperCase(Locale.ROOT) + " (" + missing.description() + ")");
        }
        if (given.length > arguments.size()) {
            throw wrong("too many arguments: expected at most " + arguments.size() + ", got " + given.length);
        }
        List<String> texts = new ArrayList<>(given.length);
        for (int i = 0; i < given.length; i++) {
            texts.add(text(arguments.get(i), given[i]));
        }
        return texts;
    }

    /**
     * Reads a whole number in a range.
     *
     * @throws IllegalArgumentException naming the command, the argument and the value, with the usage line
     */
    long whole(String argument, String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw wrong(argument + " must be a whole number, got '" + text + "'");
        }
        if (value < min || value > max) {
            throw wrong(argument + " must be " + min + " to " + max + ", got " + value);
        }
        return value;
    }

    /** @return an error for this command: the problem, then the usage line */
    IllegalArgumentException wrong(String problem) {
        return new UsageError(SCOPE + ":" + name + ": " + problem + System.lineSeparator()
                + "usage: " + line());
    }

    private String text(Argument argument, Object given) {
        if (given instanceof List || given instanceof java.util.Map) {
            // Gogo reads [a b] as a list and [a=b] as a map before the command sees them.
            throw wrong(argument.name().toUpperCase(Locale.ROOT) + " " + given + " was read by the shell as a "
                    + (given instanceof List ? "list" : "map") + ": quote it, as in '[::1]:0'");
        }
        return String.valueOf(given);
    }
}
