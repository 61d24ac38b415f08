package task.api.spi;

import java.util.List;

/**
 * A registered operation, as listed by {@link OperationService#operations()}.
 *
 * @param name the operation's name
 * @param description what it does
 * @param arguments the arguments it takes
 * @param provider who offers it: the bundle's symbolic name in OSGi, the
 *        implementation class outside
 */
public record OperationInfo(String name, String description, List<Operation.Argument> arguments, String provider) {

    /** Copies the arguments. */
    public OperationInfo {
        arguments = List.copyOf(arguments);
    }

    /**
     * The usage line: the name and its arguments, optional ones in brackets.
     *
     * @return for example {@code resolve HOST [PORT]}
     */
    public String usage() {
        StringBuilder usage = new StringBuilder(name);
        for (Operation.Argument argument : arguments) {
            String upper = argument.name().toUpperCase(java.util.Locale.ROOT);
            usage.append(' ').append(argument.required() ? upper : "[" + upper + "]");
        }
        return usage.toString();
    }
}
