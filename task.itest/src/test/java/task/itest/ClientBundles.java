package task.itest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * Installs real bundles built in memory: a manifest importing the task API
 * and SPI, and optionally classes copied from the tests with an activator
 * (a third party's plugin). A test acts through the client's own
 * {@link BundleContext}, so the bundle-scoped services it gets are owned by
 * the client, and stopping the client releases them as the framework would.
 */
final class ClientBundles {
    private ClientBundles() {
    }

    static Bundle installAndStart(BundleContext context, String symbolicName) throws IOException, BundleException {
        return installAndStart(context, symbolicName, null);
    }

    /**
     * Installs and starts a bundle holding the given classes (copied from the
     * test's own class path) with {@code activator} as its Bundle-Activator.
     */
    static Bundle installAndStart(BundleContext context, String symbolicName, Class<?> activator,
            Class<?>... classes) throws IOException, BundleException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Import-Package", "task.api;version=\"[1.0,2)\",task.api.spi;version=\"[1.0,2)\","
                + "org.osgi.framework");
        if (activator != null) {
            main.putValue("Bundle-Activator", activator.getName());
        }
        ByteArrayOutputStream jar = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(jar, manifest)) {
            for (Class<?> type : classes) {
                String resource = type.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(resource));
                try (InputStream bytes = type.getClassLoader().getResourceAsStream(resource)) {
                    bytes.transferTo(out);
                }
                out.closeEntry();
            }
        }
        Bundle bundle = context.installBundle("memory:" + symbolicName, new ByteArrayInputStream(jar.toByteArray()));
        bundle.start();
        return bundle;
    }
}
