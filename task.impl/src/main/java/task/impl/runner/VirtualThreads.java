package task.impl.runner;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;

/**
 * Virtual threads, reached reflectively: the bundle is Java 17 bytecode and
 * must run on 17, where they do not exist, as well as on 21 and later.
 */
final class VirtualThreads {
    private VirtualThreads() {
    }

    /**
     * A factory of virtual threads named {@code prefix0}, {@code prefix1}...
     *
     * @param prefix the thread name prefix
     * @return the factory, or empty on a JVM without virtual threads
     */
    static Optional<ThreadFactory> factory(String prefix) {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            Class<?> virtualBuilderType = Class.forName("java.lang.Thread$Builder$OfVirtual");
            MethodHandle ofVirtual = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(virtualBuilderType));
            MethodHandle name = lookup.findVirtual(builderType, "name",
                    MethodType.methodType(builderType, String.class, long.class));
            MethodHandle factory = lookup.findVirtual(builderType, "factory", MethodType.methodType(ThreadFactory.class));
            Object builder = ofVirtual.invoke();
            builder = name.invoke(builder, prefix, 0L);
            return Optional.of((ThreadFactory) factory.invoke(builder));
        } catch (ClassNotFoundException | NoSuchMethodException | UnsupportedOperationException absent) {
            return Optional.empty();
        } catch (Throwable unexpected) {
            throw new IllegalStateException("cannot create virtual threads", unexpected);
        }
    }
}
