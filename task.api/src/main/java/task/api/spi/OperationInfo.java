package task.api.spi;

import java.util.List;
import java.util.Objects;

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

    /**
     * Checks the description and copies the arguments.
     *
     * @param name the operation's name; not blank
     * @param description what it does
     * @param arguments the arguments it takes, copied
     * @param provider who offers it
     * @throws NullPointerException if anything, or any argument, is null
     * @throws IllegalArgumentException if the name is blank
     */
    public OperationInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(arguments, "arguments");
        Objects.requireNonNull(provider, "provider");
        if (name.isBlank()) {
            throw new IllegalArgumentException("operation info: name must not be blank, got '" + name + "'");
        }
        for (int i = 0; i < arguments.size(); i++) {
            if (arguments.get(i) == null) {
                throw new NullPointerException("operation info '" + name + "': argument " + i + " is null");
            }
        }
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
