package task.webconsole;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.apache.felix.webconsole.AbstractWebConsolePlugin;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import task.api.TaskInspector;
import task.api.spi.OperationInfo;
import task.api.spi.OperationService;

/**
 * The Web Console page {@code /system/console/tasks}. GET renders the page
 * (see {@link TasksPage}); POST with {@code action=cancel} and {@code id}
 * cancels that task through {@link TaskInspector#cancel(long)} and redirects
 * back to the page (POST-redirect-GET), or answers 400 naming the value when
 * the id is not a task id.
 *
 * <p>Both references are optional and dynamic: without a runtime the page
 * says so, without an operation registry it lists no operations. They are
 * read once per request (volatile fields, written by SCR), so a request
 * sees one consistent pair of services. Requests run on the HTTP service's
 * threads, concurrently; the servlet keeps no other state.
 */
@Component(service = Servlet.class, property = {
        "felix.webconsole.label=" + TasksPlugin.LABEL,
        "felix.webconsole.title=Tasks",
        "felix.webconsole.category=Task runtime" })
public class TasksPlugin extends AbstractWebConsolePlugin {
    private static final long serialVersionUID = 1L;

    static final String LABEL = "tasks";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile TaskInspector inspector;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile OperationService operations;

    @Activate
    void start(BundleContext context) {
        activate(context);
    }

    @Deactivate
    void stop() {
        deactivate();
    }

    @Override
    public String getLabel() {
        return LABEL;
    }

    @Override
    public String getTitle() {
        return "Tasks";
    }

    @Override
    protected void renderContent(HttpServletRequest request, HttpServletResponse response) throws IOException {
        TaskInspector tasks = inspector;
        OperationService ops = operations;
        List<OperationInfo> listed = ops == null ? List.of() : ops.operations();
        response.getWriter().write(TasksPage.render(Optional.ofNullable(tasks), listed,
                request.getParameter("cancelled"), request.getParameter("missing") != null,
                System.currentTimeMillis()));
    }

    /** Cancels the task named by {@code id}; 400 for a missing or malformed id, 503 without a runtime. */
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String action = request.getParameter("action");
        if (!"cancel".equals(action)) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST,
                    "action must be 'cancel', got '" + TasksPage.escape(String.valueOf(action)) + "'");
            return;
        }
        String text = request.getParameter("id");
        long id;
        try {
            id = Long.parseLong(text == null ? "" : text.trim());
        } catch (NumberFormatException e) {
            id = -1;
        }
        if (id <= 0) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST,
                    "id must be a task id (a positive whole number), got '" + TasksPage.escape(String.valueOf(text))
                            + "'");
            return;
        }
        TaskInspector tasks = inspector;
        if (tasks == null) {
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "no task runtime (TaskInspector) is running");
            return;
        }
        boolean cancelled = tasks.cancel(id);
        response.sendRedirect(request.getRequestURI() + "?cancelled=" + id + (cancelled ? "" : "&missing=true"));
    }
}
