package task.impl.core;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;

/**
 * {@code Task.setPrefixedError}: GLib prefixes a {@code GError}'s message in
 * place; a Java exception's message is fixed, so this makes a copy of the
 * same class with the prefixed message, the original as its cause. Written
 * here because no library does this one thing (Guava's
 * {@code Futures.getChecked} builds exceptions by reflection the same way,
 * but only for checked exceptions of its own choosing).
 */
final class PrefixedError {
    private PrefixedError() {
    }

    /** The prefixed copy, or {@code error} itself with the prefix suppressed in it when no copy can be made. */
    static Throwable of(String prefix, Throwable error) {
        String message = prefix + (error.getMessage() == null ? "" : error.getMessage());
        Throwable copy = construct(error.getClass(), message, error);
        if (copy == null) {
            error.addSuppressed(new Throwable(prefix.strip()));
            return error;
        }
        copy.setStackTrace(error.getStackTrace());
        return copy;
    }

    /** A public (String, Throwable) or (String) constructor's instance with {@code cause}; null if none works. */
    private static Throwable construct(Class<? extends Throwable> type, String message, Throwable cause) {
        if (!Modifier.isPublic(type.getModifiers())) {
            return null;
        }
        try {
            Constructor<? extends Throwable> withCause = type.getConstructor(String.class, Throwable.class);
            return withCause.newInstance(message, cause);
        } catch (ReflectiveOperationException | RuntimeException noSuchOne) {
            // try the message-only constructor
        }
        try {
            Throwable copy = type.getConstructor(String.class).newInstance(message);
            copy.initCause(cause);
            return copy;
        } catch (ReflectiveOperationException | RuntimeException noSuchOne) {
            return null; // no such constructor, or one that fixes its cause itself
        }
    }
}
