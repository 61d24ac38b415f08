package task.impl.osgi;

import org.osgi.service.component.annotations.Component;

import task.impl.loop.LoopDirectory;

/** Holds the runtime's list of event contexts, shared by the components that create them. */
@Component(service = DirectoryComponent.class)
public class DirectoryComponent {
    final LoopDirectory directory = new LoopDirectory();

    /** @return the runtime's list of event contexts */
    public LoopDirectory directory() {
        return directory;
    }
}
