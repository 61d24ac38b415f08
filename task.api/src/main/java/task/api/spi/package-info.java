/**
 * The plugin SPI: how a bundle (or a jar on the class path) offers a named
 * operation, such as a resolver or a listener, that runs as a task.
 * <p>
 * A plugin implements {@link task.api.spi.Operation}. In OSGi it registers
 * it as a service (the whiteboard pattern); outside OSGi it lists it in
 * {@code META-INF/services/task.api.spi.Operation} for
 * {@link java.util.ServiceLoader}. Callers, the shell included, run any
 * operation by name through the {@link task.api.spi.OperationService}.
 * <p>
 * Unless a method says otherwise, every parameter and return value in this
 * package is non-null.
 */
@Export
@Version("1.1.0")
package task.api.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
