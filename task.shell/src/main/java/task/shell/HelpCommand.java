package task.shell;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import task.api.spi.Operation.Argument;
import task.api.spi.OperationInfo;
import task.api.spi.OperationService;

/**
 * {@code help}: lists every command of the session, the {@code task} ones
 * with their usage and description (the operations' from their own
 * description and arguments), and {@code help NAME} shows one command's
 * usage, description and arguments. Gogo's own {@code felix:help} sees
 * neither the operations' commands (functions, with no methods to reflect
 * on) nor usage lines; for a command of another scope this one asks it.
 * Unscoped {@code help} is this one, since {@link TaskScopeFirst} puts the
 * task scope first. Threading: the shell's.
 */
@Component(service = Object.class) // found by its scope property, as TaskCommands
@GogoCommand(scope = CommandUsage.SCOPE, function = { "help" })
public class HelpCommand {
    static final CommandUsage HELP = new CommandUsage("help", "list every command, or show how to use one",
            List.of(new Argument("name", "a command, with or without its scope: task:sleep, sleep, lb", false)));
    /** Gogo's list of the session's commands, as {@code scope:function} names. */
    static final String COMMANDS = ".commands";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?");

    @Reference
    OperationService operations;

    /**
     * Prints the list of commands, or one command's help.
     *
     * @param session the shell's session, for its list of commands
     * @param arguments none, or the command's name
     * @throws IllegalArgumentException if the name is malformed or no such command exists (with the usage)
     * @throws Exception what Gogo's {@code felix:help} throws for a command of another scope
     */
    @Descriptor("list every command, or show how to use one")
    public void help(CommandSession session, @Descriptor("[NAME]: a command") String... arguments) throws Exception {
        List<String> texts = HELP.texts(arguments);
        Map<String, CommandUsage> ours = ours();
        if (texts.isEmpty()) {
            System.out.println(list(ours, commands(session)));
            return;
        }
        String name = texts.get(0);
        if (!NAME.matcher(name).matches()) {
            throw HELP.wrong("NAME must be a command name such as task:sleep or lb, got '" + name + "'");
        }
        String bare = name.startsWith(TaskScopeFirst.FIRST) ? name.substring(TaskScopeFirst.FIRST.length()) : name;
        CommandUsage usage = ours.get(bare);
        if (usage != null) {
            System.out.println(usage.help());
            return;
        }
        Optional<String> other = commands(session).stream()
                .filter(command -> command.equals(name) || command.endsWith(":" + name)).findFirst();
        if (other.isEmpty()) {
            throw HELP.wrong("no command '" + name + "' (help lists them all)");
        }
        if (commands(session).contains("felix:help")) {
            // felix:help prints some of its text and returns the rest.
            Object rest = session.execute("felix:help " + other.get());
            if (rest != null) {
                System.out.println(session.format(rest, Converter.INSPECT));
            }
        } else {
            System.out.println(other.get() + ": no help is available for this command");
        }
    }

    /** The task scope's commands by function name: the fixed ones, then one per operation. */
    private Map<String, CommandUsage> ours() {
        Map<String, CommandUsage> ours = new LinkedHashMap<>();
        List<CommandUsage> fixed = new ArrayList<>(TaskCommands.USAGES);
        fixed.addAll(OperationCommands.USAGES);
        fixed.add(HELP);
        fixed.forEach(usage -> ours.put(usage.name(), usage));
        for (OperationInfo info : operations.operations()) {
            ours.putIfAbsent(info.name(), OperationCommands.usage(info));
        }
        return ours;
    }

    private static String list(Map<String, CommandUsage> ours, Collection<String> all) {
        StringBuilder out = new StringBuilder("task commands (help NAME shows one; the task scope comes first,"
                + " so resolve is task:resolve):").append(System.lineSeparator());
        for (CommandUsage usage : new TreeMap<>(ours).values()) {
            out.append(String.format(Locale.ROOT, "  %-40s %s%n", usage.line(), usage.description()));
        }
        Map<String, List<String>> byScope = new TreeMap<>();
        for (String command : new TreeSet<>(all)) {
            int colon = command.indexOf(':');
            String scope = colon < 0 ? "" : command.substring(0, colon);
            if (!scope.equals(CommandUsage.SCOPE)) {
                byScope.computeIfAbsent(scope, s -> new ArrayList<>()).add(command.substring(colon + 1));
            }
        }
        byScope.forEach((scope, functions) -> out.append(scope).append(" commands: ")
                .append(String.join(" ", functions)).append(System.lineSeparator()));
        return out.toString().stripTrailing();
    }

    @SuppressWarnings("unchecked")
    private static Collection<String> commands(CommandSession session) {
        Object commands = session.get(COMMANDS);
        return commands instanceof Collection ? (Collection<String>) commands : List.of();
    }
}
