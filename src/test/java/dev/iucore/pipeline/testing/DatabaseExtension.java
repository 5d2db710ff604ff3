package dev.iucore.pipeline.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh database per test class: {@code @RegisterExtension static final DatabaseExtension DB =
 * DatabaseExtension.migrated();} then {@code DB.db()} in the tests.
 */
public final class DatabaseExtension implements BeforeAllCallback, AfterAllCallback {

    private final boolean migrated;
    private TestDb db;

    private DatabaseExtension(boolean migrated) {
        this.migrated = migrated;
    }

    public static DatabaseExtension migrated() {
        return new DatabaseExtension(true);
    }

    public static DatabaseExtension empty() {
        return new DatabaseExtension(false);
    }

    public TestDb db() {
        return db;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        db = migrated ? TestPostgres.migratedDatabase() : TestPostgres.emptyDatabase();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (db != null) {
            db.close();
        }
    }
}
