package dev.iucore.pipeline.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.MisbehavingReceiver;
import dev.iucore.pipeline.testing.MisbehavingReceiver.Behaviour;
import dev.iucore.pipeline.testing.MisbehavingReceiver.Received;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.ServiceJar;
import dev.iucore.pipeline.testing.TestDb;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code verify boundary} beside a live relay with due work: the verdict holds, and the probe disturbs nothing. */
class BoundaryProbeIT {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int EVENTS = 500;

    @Test
    void theBoundaryProbeBesideDueWorkHoldsLeavesNoTraceAndNeitherLosesNorRepeatsTheLiveFlow() throws Exception {
        TestDb db = DB.db();
        RelayData data = new RelayData(db);
        FlowChecks flow = new FlowChecks(db, "due-hook");
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start().behave(Behaviour.HOLD);
             ServiceJar relay = ServiceJar.start(db, "beside-probe", Map.of())) {
            // held tries stay in flight for the whole test: a read timeout longer than it
            data.registerType("test.fault.due", "live").route("due-hook", "test.fault.due", receiver.url("/due"),
                    Map.of("read_timeout_ms", 120_000));
            data.openGates(false, "due-hook");
            data.events("test.fault.due", EVENTS);
            // the route's four slots busy with held tries: every other delivery is due and waiting
            await().atMost(WAIT).until(() -> receiver.received().size() == 4
                    && db.queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = 'due-hook'") == EVENTS);

            // the probe runs the real dispatch, release and claim inside its rolled-back transaction, beside them
            for (int probe = 0; probe < 3; probe++) {
                assertThat(db.queryLong("""
                        SELECT count(*) FROM iu_route_delivery WHERE status = 'pending' AND next_attempt_at <= now()
                           AND locked_until IS NULL""")).as("due work beside probe %d", probe).isEqualTo(EVENTS - 4);
                Cli.Result result = Cli.run(db.settings(), "verify", "boundary", "iu.template.instance_auto_composed", "--json");
                assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
                JsonNode report = JSON.readTree(result.out());
                assertThat(report.get("internal_only_holds").asBoolean()).isTrue();
                assertThat(report.get("probe").get("deliveries").asLong()).isZero();
                assertThat(report.get("probe").get("attempts").asLong()).isZero();
                assertThat(report.get("probe").get("trace_after_rollback").asLong()).isZero();
                // delivery is open: the delayed lane's release, as the gates stand, took the probe event
                JsonNode release = report.get("probe").get("releases").get(0);
                assertThat(release.get("claimed").asBoolean()).isTrue();
                assertThat(release.get("status_after").asText()).isEqualTo("dispatched");
                assertThat(report.get("layers_holding")).extracting(JsonNode::asText).containsExactly("L1", "L2");
            }

            receiver.behave(Behaviour.OK);
            receiver.release();
            await().atMost(WAIT).until(() -> flow.delivered() == EVENTS);
            List<Received> received = receiver.received();
            flow.everyEventDeliveredAndNoAttemptRecordedTwice(EVENTS, received);
            assertThat(received).extracting(r -> r.webhookId() + "#" + r.attempt()).as("no try sent twice").doesNotHaveDuplicates();
            assertThat(db.queryLong("SELECT count(*) FROM event_outbox WHERE event_type = 'iu.template.instance_auto_composed'"))
                    .as("no trace of a probe event").isZero();
            assertThat(db.count("iu_route_dead_letter")).isZero();
        }
    }
}
