package dev.iucore.pipeline.api;

import dev.iucore.pipeline.delivery.RouteStatusReader;
import java.util.Map;
import javax.sql.DataSource;

/** The route table as the relay sees it now ({@code iu_core_route_status}, what {@code routes list} prints). */
final class RoutesApi {

    private final DataSource runtime;

    RoutesApi(DataSource runtime) {
        this.runtime = runtime;
    }

    void register(Endpoints endpoints) {
        endpoints.get("/routes", request -> Reply.of(Map.of("routes",
                new RouteStatusReader(runtime).list(request.query("event_type")))));
    }
}
