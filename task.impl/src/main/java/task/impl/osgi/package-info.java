/**
 * The runtime as Declarative Services: each component wires a piece of the
 * plain-Java runtime ({@code task.impl.core}, {@code task.impl.loop},
 * {@code task.impl.runner}) to the framework and ends it on deactivation.
 */
package task.impl.osgi;
