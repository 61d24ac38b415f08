/**
 * A Felix Web Console plugin, label {@code tasks}: the runtime's tasks in
 * flight (each with a Cancel button), its contexts, the registered
 * operations and the metrics of {@link task.api.TaskInspector#stats()}. A
 * client of {@code task.api}'s public services only; nothing here is
 * exported, and the only service registered is the {@code javax.servlet.Servlet}
 * the Web Console looks for.
 */
package task.webconsole;
