package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a producer may write into the outbox: junk is refused in its own transaction, and text stays byte-exact. */
class OutboxInputTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String TYPE = "test.input.checked";

    @BeforeAll
    static void type() {
        new RelayData(DB.db()).registerType(TYPE, "live");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not JSON          | {\"n\": 1                   | a-1  | 00000000-0000-0000-0000-000000000001 | invalid input syntax for type json",
        "a NUL in JSON     | {\"s\": \"a\\u0000b\"}      | a-1  | 00000000-0000-0000-0000-000000000002 | unsupported Unicode escape sequence",
        "no aggregate      | {}                          |      | 00000000-0000-0000-0000-000000000003 | null value in column \"aggregate_id\"",
        "no payload        |                             | a-1  | 00000000-0000-0000-0000-000000000004 | null value in column \"payload\"",
        "not a UUID        | {}                          | a-1  | event-7                              | invalid input syntax for type uuid"
    })
    void junkIsRefusedAtInsertAndNothingIsStored(String what, String payload, String aggregate, String eventId,
                                                 String error) {
        long before = DB.db().count("event_outbox");
        assertThatThrownBy(() -> DB.db().update("""
                INSERT INTO event_outbox (event_id, event_type, aggregate_type, aggregate_id, payload)
                VALUES (CAST(? AS uuid), ?, 'test', ?, CAST(? AS jsonb))""",
                eventId, TYPE, aggregate, payload))
                .as(what).hasMessageContaining(error);
        assertThat(DB.db().count("event_outbox")).as(what).isEqualTo(before);
    }

    @Test
    void unicodeTextIsStoredByteExact() {
        String text = "päid ∑ 東京 😀 \u00a0tab\there";
        DB.db().update("""
                INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload)
                VALUES (?, 'test', ?, jsonb_build_object('text', CAST(? AS text)))""", TYPE, "ü-" + text, text);
        assertThat(DB.db().queryLong("SELECT count(*) FROM event_outbox WHERE aggregate_id = ?", "ü-" + text)).isEqualTo(1);
        assertThat(DB.db().queryValue("SELECT payload ->> 'text' FROM event_outbox WHERE aggregate_id = ?", "ü-" + text))
                .isEqualTo(text);
    }
}
