package task.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * The bundle jars the launcher installs, in name order: those of a folder
 * ({@code task.launcher.bundles}, or {@code bundle/} beside the launcher's
 * jar, the layout of {@code target/runtime}), or else the {@code bundle/*.jar}
 * entries of the launcher's own jar (the one-file runtime,
 * {@code target/task-runtime.jar}).
 */
final class BundleJars {
    private static final String ENTRY_FOLDER = "bundle/";

    private final String where;
    private final List<Path> files;
    private final Path ownJar;
    private final List<String> entries;

    private BundleJars(String where, List<Path> files, Path ownJar, List<String> entries) {
        this.where = where;
        this.files = files;
        this.ownJar = ownJar;
        this.entries = entries;
    }

    /** Finds the bundles as the class javadoc says. */
    static BundleJars find() throws IOException, URISyntaxException {
        String configured = System.getProperty("task.launcher.bundles");
        Path self = Paths.get(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path folder = configured != null ? Paths.get(configured).toAbsolutePath()
                : (Files.isDirectory(self) ? self : self.getParent()).resolve("bundle");
        if (configured != null || Files.isDirectory(folder) || !Files.isRegularFile(self)) {
            return new BundleJars(folder.toString(), filesOf(folder), null, List.of());
        }
        return new BundleJars(self + "!/" + ENTRY_FOLDER, List.of(), self, entriesOf(self));
    }

    /**
     * The folder of the Web Console's bundles: {@code task.launcher.webconsole.bundles},
     * or {@code webconsole/} beside the launcher's jar.
     */
    static Path webConsoleFolder() throws URISyntaxException {
        String configured = System.getProperty("task.launcher.webconsole.bundles");
        Path self = Paths.get(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return configured != null ? Paths.get(configured).toAbsolutePath()
                : (Files.isDirectory(self) ? self : self.getParent()).resolve("webconsole");
    }

    /** The Web Console's bundle jars, in name order; empty when the folder has none. */
    static List<Path> webConsole() throws IOException, URISyntaxException {
        return filesOf(webConsoleFolder());
    }

    /** These bundles and {@code more} files after them, or null when {@code more} is empty. */
    BundleJars with(List<Path> more) {
        if (more.isEmpty()) {
            return null;
        }
        List<Path> all = new ArrayList<>(files);
        all.addAll(more);
        return new BundleJars(where, all, ownJar, entries);
    }

    /** @return where the bundles were looked for, for messages */
    String where() {
        return where;
    }

    boolean isEmpty() {
        return files.isEmpty() && entries.isEmpty();
    }

    /**
     * Installs every bundle, a file by its URI, an entry from the jar's
     * stream (its location names the jar and the entry).
     */
    List<Bundle> installAll(BundleContext context) throws BundleException, IOException {
        List<Bundle> installed = new ArrayList<>();
        for (Path file : files) {
            installed.add(context.installBundle(file.toUri().toString()));
        }
        if (!entries.isEmpty()) {
            try (JarFile jar = new JarFile(ownJar.toFile())) {
                for (String entry : entries) {
                    try (InputStream in = jar.getInputStream(jar.getJarEntry(entry))) {
                        installed.add(context.installBundle(ownJar.toUri() + "!/" + entry, in));
                    }
                }
            }
        }
        return installed;
    }

    private static List<Path> filesOf(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> found = Files.list(dir)) {
            return found.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
    }

    private static List<String> entriesOf(Path jarFile) throws IOException {
        List<String> names = new ArrayList<>();
        try (JarFile jar = new JarFile(jarFile.toFile())) {
            for (Enumeration<JarEntry> all = jar.entries(); all.hasMoreElements();) {
                String name = all.nextElement().getName();
                if (name.startsWith(ENTRY_FOLDER) && name.endsWith(".jar") && name.indexOf('/', ENTRY_FOLDER.length()) < 0) {
                    names.add(name);
                }
            }
        }
        names.sort(null);
        return names;
    }
}
