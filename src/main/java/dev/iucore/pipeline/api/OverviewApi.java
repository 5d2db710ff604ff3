package dev.iucore.pipeline.api;

import dev.iucore.pipeline.db.NamedSql;
import dev.iucore.pipeline.metrics.RelayGauges;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The pipeline at a glance: the queues the metrics gauges read (backlog, oldest pending age, held
 * events, open circuits and dead letters) and delivered / retried / dead-lettered per minute.
 */
final class OverviewApi {

    private static final NamedSql THROUGHPUT = NamedSql.load(OverviewApi.class, "throughput.sql");
    private static final int MAX_MINUTES = 24 * 60;

    private final DataSource runtime;
    private final JsonQuery query;

    OverviewApi(DataSource runtime, JsonQuery query) {
        this.runtime = runtime;
        this.query = query;
    }

    void register(Endpoints endpoints) {
        endpoints.get("/overview", request -> {
            int minutes = request.queryInt("minutes", 60);
            if (minutes > MAX_MINUTES) {
                throw ApiProblem.badRequest("minutes must be at most " + MAX_MINUTES + ", not " + minutes);
            }
            RelayGauges.Queues queues;
            try (Connection c = runtime.getConnection()) {
                queues = RelayGauges.queues(c);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("queues", queues);
            body.put("per_minute", Json.MAPPER.readTree(query.read(THROUGHPUT, Map.of("minutes", minutes))));
            return Reply.of(body);
        });
    }
}
