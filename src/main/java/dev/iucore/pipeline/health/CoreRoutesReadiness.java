package dev.iucore.pipeline.health;

import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: every core route runs, the routes the service started with before any ops route file
 * was applied (an ops file may replace one by its id, which keeps it core). A relay missing, say,
 * {@code delivery-wake} stalls deliveries while the database answers, so it is not ready.
 */
public final class CoreRoutesReadiness extends AbstractHealthCheck {

    public static final String ID = "iu-core-routes";

    private volatile CamelContext context;
    private volatile List<String> core = List.of();

    public CoreRoutesReadiness() {
        super("iu-core", ID);
    }

    /** The routes running now are the core ones: called once the packaged routes started, before any ops file. */
    public void started(CamelContext context) {
        this.core = context.getRoutes().stream().map(r -> r.getRouteId()).sorted().toList();
        this.context = context;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        CamelContext camel = context;
        if (camel == null) {
            builder.down().message("the routes have not started yet");
            return;
        }
        List<String> missing = core.stream()
                .filter(id -> camel.getRoute(id) == null || camel.getRouteController().getRouteStatus(id) != ServiceStatus.Started)
                .toList();
        if (missing.isEmpty()) {
            builder.up().message("all " + core.size() + " core routes running");
        } else {
            builder.down().message("core routes not running: " + String.join(", ", missing)
                    + " (deliveries may stall; see the log for the routes file that replaced them)");
        }
    }
}
