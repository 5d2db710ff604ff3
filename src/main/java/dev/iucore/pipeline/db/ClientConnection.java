package dev.iucore.pipeline.db;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How PostgreSQL's own client tools ({@code pg_dump}, {@code pg_restore}) reach a database: the
 * libpq environment variables, so a password never appears on a command line or in a process list.
 */
public record ClientConnection(String host, String port, String database, String user, String password,
                               String sslMode) {

    /** PGHOST, PGPORT, PGDATABASE, PGUSER and, when set, PGPASSWORD and PGSSLMODE. */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGHOST", host);
        env.put("PGPORT", port);
        env.put("PGDATABASE", database);
        env.put("PGUSER", user);
        if (password != null && !password.isEmpty()) {
            env.put("PGPASSWORD", password);
        }
        if (sslMode != null && !sslMode.isEmpty()) {
            env.put("PGSSLMODE", sslMode);
        }
        return env;
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return user + "@" + host + ":" + port + "/" + database;
    }
}
