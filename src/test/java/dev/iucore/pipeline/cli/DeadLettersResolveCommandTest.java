package dev.iucore.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.TestDb;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * dead-letters resolve, on dead letters the real relay wrote (events of types nobody registered,
 * dead-lettered at dispatch). Each test makes its own letters under a type of its own.
 */
class DeadLettersResolveCommandTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static RunningPipeline pipeline;
    private static RelayData data;

    @BeforeAll
    static void relay() {
        data = new RelayData(DB.db()).openGates(false);
        pipeline = RunningPipeline.start(DB.db(), "resolve-test");
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    private static TestDb db() {
        return DB.db();
    }

    private static Cli.Result iuCore(String... args) {
        return Cli.run(db().settings(), args);
    }

    /** {@code n} events of an unregistered type, dead-lettered by the relay; their dead letter ids, oldest first. */
    private static List<Long> deadLetters(String eventType, int n) {
        for (int i = 0; i < n; i++) {
            data.event(eventType, "order-" + i, "{\"n\": " + i + "}");
        }
        await().atMost(WAIT).until(() -> db().queryLong(
                "SELECT count(*) FROM iu_route_dead_letter WHERE event_type = ?", eventType) == n);
        return db().query("SELECT id FROM iu_route_dead_letter WHERE event_type = ? ORDER BY id", eventType).stream()
                .map(row -> (Long) row.get("id")).toList();
    }

    private static Map<String, Object> letter(long id) {
        return db().query("SELECT resolved_at, resolved_by, resolution_reason, replayed_at, event_snapshot::text AS snapshot"
                + " FROM iu_route_dead_letter WHERE id = ?", id).get(0);
    }

    private static long lastLogId() {
        return db().queryLong("SELECT coalesce(max(id), 0) FROM iu_command_log");
    }

    @Test
    void resolvingByIdRecordsWhoWhyAndWhenAndKeepsTheLetter() {
        long id = deadLetters("test.resolve.byid", 1).get(0);
        String snapshot = (String) letter(id).get("snapshot");
        long logBefore = lastLogId();

        Cli.Result resolved = iuCore("dead-letters", "resolve", Long.toString(id), "--actor", "ops-dana",
                "--reason", "sent by hand, ticket 881");

        assertThat(resolved.exitCode()).as(resolved.err()).isZero();
        assertThat(resolved.out()).contains("resolved").contains("sent by hand, ticket 881").contains("1 resolved, 0 refused");
        Map<String, Object> row = letter(id);
        assertThat(row.get("resolved_at")).isNotNull();
        assertThat(row).containsEntry("resolved_by", "ops-dana").containsEntry("resolution_reason", "sent by hand, ticket 881")
                .containsEntry("snapshot", snapshot);
        assertThat(row.get("replayed_at")).isNull();
        assertThat(db().query("SELECT actor, outcome, dry_run, row_deltas::text AS deltas FROM iu_command_log"
                + " WHERE command_name = 'dead-letters resolve' AND id > ?", logBefore))
                .containsExactly(Map.of("actor", "ops-dana", "outcome", "ok", "dry_run", false,
                        "deltas", "{\"iu_route_dead_letter resolved\": 1}"));
        assertThat(iuCore("dead-letters", "show", Long.toString(id)).out())
                .containsPattern("resolved:\\s+\\S+ by ops-dana: sent by hand, ticket 881");
        assertThat(iuCore("dead-letters", "list", "--event-type", "test.resolve.byid").out()).contains("resolved ")
                .contains(" by ops-dana");
    }

    @Test
    void aDryRunShowsTheSelectionAndChangesNothing() throws Exception {
        List<Long> ids = deadLetters("test.resolve.dry", 3);
        JsonNode dry = JSON.readTree(iuCore("dead-letters", "resolve", "--event-type", "test.resolve.dry", "--dry-run",
                "--actor", "ops", "--reason", "counting first", "--json").out());
        assertThat(dry.get("resolved").asInt()).isEqualTo(3);
        assertThat(dry.get("dry_run").asBoolean()).isTrue();
        assertThat(dry.get("outcomes")).extracting(o -> o.get("dead_letter_id").asLong()).containsExactlyElementsOf(ids);
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_dead_letter WHERE event_type = 'test.resolve.dry'"
                + " AND resolved_at IS NULL")).isEqualTo(3);
    }

    @Test
    void aFilterResolvesTheOpenLettersInChunksUpToItsLimitAndARunAgainTheRest() {
        deadLetters("test.resolve.bulk", 5);
        Cli.Result first = iuCore("dead-letters", "resolve", "--event-type", "test.resolve.bulk", "--limit", "3",
                "--actor", "ops", "--reason", "producer bug, fixed in 2.4.1");
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("3 resolved, 0 refused");
        Cli.Result rest = iuCore("dead-letters", "resolve", "--event-type", "test.resolve.bulk",
                "--actor", "ops", "--reason", "producer bug, fixed in 2.4.1");
        assertThat(rest.out()).contains("2 resolved, 0 refused");
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_dead_letter WHERE event_type = 'test.resolve.bulk'"
                + " AND resolved_by = 'ops' AND resolution_reason = 'producer bug, fixed in 2.4.1'")).isEqualTo(5);
        Cli.Result nothingLeft = iuCore("dead-letters", "resolve", "--event-type", "test.resolve.bulk",
                "--actor", "ops", "--reason", "again");
        assertThat(nothingLeft.exitCode()).isZero();
        assertThat(nothingLeft.out()).contains("0 resolved, 0 refused");
    }

    @Test
    void anAlreadyResolvedOrReplayedOrUnknownLetterIsRefusedByNameAndTheOthersAreResolved() {
        List<Long> ids = deadLetters("test.resolve.closed", 3);
        long resolvedBefore = ids.get(0);
        long replayed = ids.get(1);
        long open = ids.get(2);
        assertThat(iuCore("dead-letters", "resolve", Long.toString(resolvedBefore), "--actor", "ops-erin",
                "--reason", "duplicate").exitCode()).isZero();
        data.registerType("test.resolve.closed", "live");
        db().update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'dead_letter_replay_enabled'");
        try {
            assertThat(iuCore("dead-letters", "replay", Long.toString(replayed), "--actor", "ops-finn").exitCode()).isZero();
        } finally {
            db().update("UPDATE iu_core_gate SET gate_value = 'false' WHERE gate_name = 'dead_letter_replay_enabled'");
        }
        long logBefore = lastLogId();

        Cli.Result mixed = iuCore("dead-letters", "resolve", Long.toString(resolvedBefore), Long.toString(replayed),
                Long.toString(open), "999999", "--actor", "ops", "--reason", "cleanup");

        assertThat(mixed.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(mixed.out()).contains("1 resolved, 3 refused")
                .containsPattern(resolvedBefore + "\\s+\\| refused\\s+\\| already resolved at \\S+ by ops-erin: duplicate")
                .containsPattern(replayed + "\\s+\\| refused\\s+\\| already replayed at \\S+ by ops-finn \\(event requeued for dispatch\\)")
                .containsPattern("999999\\s+\\| refused\\s+\\| no dead letter 999999");
        assertThat(mixed.err()).contains("3 of 4 dead letter(s) not resolved: " + resolvedBefore + " already resolved at");
        assertThat(letter(resolvedBefore)).containsEntry("resolved_by", "ops-erin").containsEntry("resolution_reason", "duplicate");
        assertThat(letter(replayed).get("resolved_at")).isNull();
        assertThat(letter(open)).containsEntry("resolved_by", "ops").containsEntry("resolution_reason", "cleanup");
        assertThat(db().queryValue("SELECT outcome FROM iu_command_log WHERE command_name = 'dead-letters resolve' AND id > ?",
                logBefore)).isEqualTo("refused");
    }

    @Test
    void aResolvedLetterIsNoLongerReplayable() {
        long id = deadLetters("test.resolve.noreplay", 1).get(0);
        iuCore("dead-letters", "resolve", Long.toString(id), "--actor", "ops", "--reason", "not needed");
        data.registerType("test.resolve.noreplay", "live");
        db().update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'dead_letter_replay_enabled'");
        try {
            Cli.Result replay = iuCore("dead-letters", "replay", Long.toString(id), "--actor", "ops");
            assertThat(replay.exitCode()).isEqualTo(ExitCode.FAILED);
            assertThat(replay.err()).contains("already replayed or resolved");
        } finally {
            db().update("UPDATE iu_core_gate SET gate_value = 'false' WHERE gate_name = 'dead_letter_replay_enabled'");
        }
        assertThat(letter(id).get("replayed_at")).isNull();
    }

    @Test
    void aResolveWithoutSelectionReasonOrWithIdsAndAFilterIsAUsageErrorAndChangesNothing() {
        long id = deadLetters("test.resolve.usage", 1).get(0);
        String[][] wrong = {
            {"dead-letters", "resolve", "--actor", "ops", "--reason", "r"},
            {"dead-letters", "resolve", Long.toString(id), "--actor", "ops"},
            {"dead-letters", "resolve", Long.toString(id), "--actor", "ops", "--reason", " "},
            {"dead-letters", "resolve", Long.toString(id), "--event-type", "test.resolve.usage", "--actor", "ops", "--reason", "r"},
            {"dead-letters", "resolve", "not-a-number", "--actor", "ops", "--reason", "r"},
        };
        for (String[] args : wrong) {
            Cli.Result result = iuCore(args);
            assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(ExitCode.USAGE);
            assertThat(result.err()).as(String.join(" ", args)).isNotBlank();
        }
        assertThat(letter(id).get("resolved_at")).isNull();
        assertThat(iuCore("dead-letters", "resolve", "--actor", "ops", "--reason", "r").err())
                .contains("say which dead letters: ids, a filter");
    }
}
