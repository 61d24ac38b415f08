package task.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Creates event contexts besides the default one
 * ({@code g_main_context_new}). In OSGi this service is bundle-scoped: the
 * contexts a bundle created are closed when it releases the service.
 * Threading: any thread.
 */
@ProviderType
public interface EventContextFactory {

    /**
     * Creates a context driven by its callers through
     * {@link EventContext#iterate(boolean)}.
     *
     * @param name a non-blank name, for diagnostics
     * @return the new, open context
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws IllegalStateException if the factory has been released
     */
    EventContext create(String name);

    /**
     * Creates a context and starts a thread of its own, named {@code name},
     * to drive it until it is closed.
     *
     * @param name a non-blank name, also the thread's name
     * @return the new, running context
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws IllegalStateException if the factory has been released
     */
    EventContext start(String name);
}
