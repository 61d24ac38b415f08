package readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every Java block of README.md, as written: a block that declares a class
 * is compiled as that class; any other block is a plain-Java program's body,
 * compiled inside a {@code main} method and run. Both see only the published
 * artifacts this project depends on, and the imports a reader would add
 * (the block's own import lines, plus the JDK's and the runtime's packages).
 * A program's comment {@code // prints "LINE"} must come true: LINE is
 * one of the lines it printed.
 * With {@code -Dreadme.runtimeOnly=true} (a project depending on task.impl
 * alone), only the blocks that use no plugin and no OSGi annotation.
 */
class ReadmeExamplesTest {
    /** What a block that needs more than task.impl names. */
    private static final Pattern BEYOND_THE_RUNTIME =
            Pattern.compile("NameResolver|SocketAddresses|NetListener|Connector|TlsHandshake|Operation|@Component|MDC");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)\\n```", Pattern.DOTALL);
    private static final Pattern CLASS_DECLARATION =
            Pattern.compile("^(?:@\\w+\\s+)*public\\s+(?:final\\s+)?class\\s+(\\w+)", Pattern.MULTILINE);
    /** What a reader of the README adds to a block: the JDK's packages it uses and the runtime's. */
    private static final List<String> RUNTIME_IMPORTS = List.of(
            "java.io", "java.net", "java.nio", "java.nio.channels", "java.nio.charset", "java.nio.file",
            "java.time", "java.util", "java.util.concurrent", "java.util.function", "task.api", "task.impl");
    /** ... and, beyond the runtime, the plugins' packages and the DS annotations. */
    private static final List<String> PLUGIN_IMPORTS = List.of("task.api.spi", "task.plugins.resolver",
            "task.plugins.listener", "task.plugins.connector", "task.plugins.tls",
            "org.osgi.service.component.annotations");
    /** A program's promise about its output: the line it prints. */
    private static final Pattern PRINTS = Pattern.compile("// prints \"([^\"]*)\"");
    private static final boolean RUNTIME_ONLY = Boolean.getBoolean("readme.runtimeOnly");
    private static final String IMPORTS = imports();

    private static String imports() {
        StringBuilder imports = new StringBuilder();
        for (String name : RUNTIME_IMPORTS) {
            imports.append("import ").append(name).append(".*;\n");
        }
        if (!RUNTIME_ONLY) {
            for (String name : PLUGIN_IMPORTS) {
                imports.append("import ").append(name).append(".*;\n");
            }
        }
        return imports.toString();
    }

    @TestFactory
    Stream<DynamicTest> everyJavaBlockOfTheReadmeCompilesAndTheProgramsRun() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("readme")));
        List<String> blocks = new ArrayList<>();
        Matcher block = JAVA_BLOCK.matcher(readme);
        while (block.find()) {
            if (!RUNTIME_ONLY || !BEYOND_THE_RUNTIME.matcher(block.group(1)).find()) {
                blocks.add(block.group(1));
            }
        }
        assertFalse(blocks.isEmpty(), "README.md has Java blocks");
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            String code = blocks.get(i);
            int number = i + 1;
            Matcher declared = CLASS_DECLARATION.matcher(code);
            if (declared.find()) {
                String name = declared.group(1);
                tests.add(DynamicTest.dynamicTest("block " + number + ": class " + name + " compiles",
                        () -> compile(name, IMPORTS + code)));
            } else {
                String name = "Example" + number;
                tests.add(DynamicTest.dynamicTest("block " + number + ": program runs",
                        () -> run(name, program(name, code), number, code)));
            }
        }
        return tests.stream();
    }

    /** A block's import lines stay imports; the rest becomes the body of {@code main}. */
    private static String program(String name, String code) {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : code.split("\n", -1)) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        return imports + IMPORTS + "public class " + name + " {\n"
                + "    public static void main(String[] args) throws Exception {\n" + body + "    }\n}\n";
    }

    private static Path compile(String name, String source) throws IOException {
        Path dir = Files.createTempDirectory("readme-" + name);
        Path file = dir.resolve(name + ".java");
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, diagnostics, diagnostics, "--release", "17", "-proc:none",
                "-cp", System.getProperty("java.class.path"), "-d", dir.toString(), file.toString());
        assertEquals(0, status, () -> "README example " + name + " does not compile as written:\n"
                + diagnostics.toString(StandardCharsets.UTF_8) + "\n" + source);
        return dir;
    }

    /**
     * Runs a program with its output captured. The connector's example
     * connects to localhost:8080: a server is there for it while it runs
     * (unless the port is taken, in which case whatever holds it answers).
     */
    private static void run(String name, String source, int number, String code) throws Exception {
        Path classes = compile(name, source);
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (ServerSocket server = serverOn8080IfFree();
             URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                     ReadmeExamplesTest.class.getClassLoader())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            try {
                loader.loadClass(name).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
            } finally {
                System.setOut(out);
            }
        }
        String output = printed.toString(StandardCharsets.UTF_8);
        out.print("README block " + number + " printed:\n" + output);
        Matcher promised = PRINTS.matcher(code);
        while (promised.find()) {
            String line = promised.group(1);
            assertTrue(output.lines().anyMatch(line::equals),
                    "README block " + number + " says it prints '" + line + "'; it printed:\n" + output);
        }
    }

    private static ServerSocket serverOn8080IfFree() {
        try {
            return new ServerSocket(8080, 50, InetAddress.getLoopbackAddress());
        } catch (IOException taken) {
            return null;
        }
    }
}
