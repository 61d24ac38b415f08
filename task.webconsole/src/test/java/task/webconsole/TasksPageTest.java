package task.webconsole;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import task.api.Task;
import task.impl.TaskRuntime;

/**
 * The page as the plugin renders it from a real plain-Java runtime: a task
 * whose name and source are hostile markup shows as text, never as markup.
 */
class TasksPageTest {
    private final TaskRuntime runtime = TaskRuntime.builder().name("page-test").start();

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void taskNamesAndSourcesAreEscaped() {
        Task<String, Void> task = runtime.tasks()
                .builder("a&b\"c'", (Task<String, Void> t) -> { })
                .name("<script>alert(1)</script>").create();
        String html = TasksPage.render(Optional.of(runtime.inspector()), List.of(), "<img src=x>", true, 0);
        assertFalse(html.contains("<script>"), html);
        assertFalse(html.contains("<img"), html);
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
        assertTrue(html.contains("a&amp;b&quot;c&#39;"), html);
        assertTrue(html.contains("Task #&lt;img src=x&gt; was not in flight"), html);
        task.dispose();
    }

    @Test
    void withoutARuntimeThePageSaysSo() {
        String html = TasksPage.render(Optional.empty(), List.of(), null, false, 0);
        assertTrue(html.contains("No task runtime"), html);
    }
}
