package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.db.EmbeddedPostgresServer;
import dev.iucore.pipeline.db.Migrator;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Configuration values that reach SQL or an error message: checked, and never echoed with a password. */
class ConfigurationLeakTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.empty();

    @Test
    void aRuntimeRoleNameThatIsNotAPlainIdentifierNeverReachesTheOwnersMigration() {
        for (String name : new String[] {"app; DROP TABLE event_outbox; --", "App", "a\"b", "1app", ""}) {
            assertThatThrownBy(() -> new Migrator(DB.db().owner(), name).migrate()).as(name)
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("IU_DB_USER");
        }
        assertThatThrownBy(() -> DB.db().queryLong("SELECT count(*) FROM event_outbox"))
                .as("nothing was migrated").hasMessageContaining("event_outbox");
    }

    @Test
    void aDatabaseUrlIsNeverEchoedWithItsPassword() {
        Settings settings = Settings.load(Map.of(), new Properties())
                .with(Setting.DB_URL, "jdbc:mysql://db.internal/iu?user=iu&password=hunter2&ssl=true");
        Database database = Database.open(settings, EmbeddedPostgresServer.Mode.SERVICE, "test", false);
        assertThatThrownBy(database::ownerClientConnection).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("password=***").hasMessageNotContaining("hunter2");
    }

    @Test
    void onceDroppedTheOwnersCredentialsAreGoneForGood() throws Exception {
        Database database = Database.open(DB.db().settings(), EmbeddedPostgresServer.Mode.SERVICE, "test", false);
        try (var connection = database.owner().getConnection()) {
            assertThat(connection.isValid(5)).isTrue();
        }
        database.dropOwnerCredentials();
        assertThatThrownBy(database::owner).isInstanceOf(IllegalStateException.class).hasMessageContaining("dropped");
        assertThatThrownBy(database::ownerClientConnection).isInstanceOf(IllegalStateException.class);
        try (var connection = database.runtime().getConnection()) {
            assertThat(connection.isValid(5)).as("the runtime role works on").isTrue();
        }
        database.close();
    }
}
