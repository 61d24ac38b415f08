package task.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.FluentWait;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Web Console plugin in a real headless browser: the launcher started
 * with {@code --webconsole PORT --serve "listen 127.0.0.1:0"} (the echo
 * listener stays in flight until cancelled), Chromium and chromedriver from
 * Debian's packages ({@code /usr/bin/chromium}, {@code /usr/bin/chromedriver};
 * set explicitly, so Selenium Manager downloads nothing) through Selenium.
 * The page must list the listener by name, a context, the operations and the
 * metrics tables; its Cancel button must take the listener out of the list
 * and close it (its port refuses connections). Every wait is a bounded
 * {@link WebDriverWait} or {@link FluentWait}, never a sleep.
 */
class WebConsoleIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern ECHO = Pattern.compile("echo 127\\.0\\.0\\.1:(\\d+)");

    private Process launcher;
    private WebDriver browser;
    private Path err;

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (launcher != null) {
            launcher.destroy();
            if (!launcher.waitFor(60, TimeUnit.SECONDS)) {
                launcher.destroyForcibly();
            }
        }
        if (err != null) {
            Files.deleteIfExists(err);
        }
    }

    @Test
    void pageShowsTheRuntimeAndCancelsATask() throws Exception {
        int port = freePort();
        List<String> command = LauncherIT.javaCommand("felix");
        command.addAll(List.of("--webconsole", Integer.toString(port), "--serve", "listen", "127.0.0.1:0"));
        err = Files.createTempFile("webconsole-err-", ".txt");
        launcher = new ProcessBuilder(command).redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        launcher.getOutputStream().close();

        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage");
        browser = new ChromeDriver(service, options);
        String page = "http://admin:admin@127.0.0.1:" + port + "/system/console/tasks";
        WebDriverWait wait = new WebDriverWait(browser, WAIT);

        // The HTTP service, the console and the listener come up in their own time: reload until the
        // listener shows (a refused connection, before Jetty listens, is a WebDriverException).
        WebElement row = new WebDriverWait(browser, WAIT).ignoring(WebDriverException.class).withMessage(() -> "no echo listener on the page; launcher stderr:\n" + stderr())
                .until(driver -> {
                    driver.get(page);
                    return driver.findElements(By.cssSelector("table#tasks tbody tr")).stream()
                            .filter(r -> ECHO.matcher(r.getText()).find()).findFirst().orElse(null);
                });
        String id = row.getAttribute("data-task-id");
        Matcher echo = ECHO.matcher(row.getText());
        assertTrue(echo.find());
        int echoPort = Integer.parseInt(echo.group(1));
        assertTrue(row.getText().contains("task.shell"), () -> "owner missing: " + row.getText());
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), echoPort)) {
            assertTrue(client.isConnected()); // the listener is really up
        }

        String body = browser.findElement(By.tagName("body")).getText();
        assertTrue(body.contains("Tasks in flight"), body);
        List<WebElement> contexts = browser.findElements(By.cssSelector("table#contexts tbody tr"));
        assertFalse(contexts.isEmpty(), () -> "no context on the page:\n" + body);
        assertTrue(contexts.stream().anyMatch(c -> c.getText().contains("default")), () -> "no default context:\n" + body);
        String operations = browser.findElement(By.id("operations")).getText();
        for (String op : List.of("resolve", "listen", "connect", "tls-connect")) {
            assertTrue(operations.contains(op), () -> op + " missing from the operations:\n" + operations);
        }
        assertTrue(browser.findElement(By.id("owners")).getText().contains("Started"), body);
        assertTrue(browser.findElement(By.id("operation-metrics")).getText().contains("Run p99"), body);
        assertTrue(browser.findElement(By.id("runner")).getText().startsWith("Runner:"), body);

        browser.findElement(By.id("cancel-" + id)).click();
        wait.withMessage(() -> "no cancel confirmation; page:\n" + browser.getPageSource())
                .until(driver -> driver.getCurrentUrl().contains("cancelled=" + id)
                        && driver.findElements(By.id("cancel-result")).stream()
                                .anyMatch(e -> e.getText().equals("Cancelled task #" + id)));
        assertTrue(browser.findElements(By.cssSelector("tr[data-task-id='" + id + "']")).isEmpty(),
                () -> "task #" + id + " still listed:\n" + browser.getPageSource());
        // The runtime cancelled it for real: the listener closed its socket.
        new FluentWait<>(echoPort).withTimeout(WAIT).withMessage("the echo listener still accepts after Cancel")
                .until(p -> refused(p));
        assertTrue(launcher.isAlive(), () -> "the launcher died:\n" + stderr());
        assertEquals(List.of(), LauncherIT.errorLines(stderr()).stream()
                .filter(l -> l.contains("Exception") || l.contains("Cannot start")).toList());
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return false;
        } catch (ConnectException closed) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private String stderr() {
        try {
            return Files.readString(err);
        } catch (IOException e) {
            return "(cannot read stderr: " + e + ")";
        }
    }
}
