package dev.iucore.pipeline.db;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may connect to the embedded cluster, set before every start while the server is stopped:
 * {@code pg_hba.conf} rewritten (scram-sha-256 on 127.0.0.1, no trust, the superuser rejected), and
 * in the single-user backend the roles created, their passwords set from the credentials file, the
 * superuser's login taken away. A data directory of an older version (trust for everyone) is
 * brought to this on its first start.
 */
final class ClusterAccess {

    static final String HBA = """
            # Written by iu-core at every start of the embedded PostgreSQL; edits are overwritten.
            # TCP on 127.0.0.1 only, scram-sha-256 passwords (in iu-core.pgpass), no Unix socket,
            # and the superuser never logs in. Anything not matched here is refused.
            %shost    all    all    127.0.0.1/32    scram-sha-256
            """;
    static final String SUPERUSER_REJECTED = "host    all    " + EmbeddedCluster.SUPERUSER + "    all    reject\n";
    private static final String ROLES_SCRIPT = "db/roles/create_roles.sql";
    private static final String STATEMENT_END = ";\n\n";

    private ClusterAccess() {
    }

    /**
     * @param superuserLogin a test fixture administering its own throwaway cluster; never iu-core itself
     * @param createDatabase a new cluster: also the database, owned by the owner role
     */
    static void apply(EmbeddedCluster cluster, EmbeddedPostgresServer.RoleNames roles, EmbeddedCredentials credentials,
                      boolean superuserLogin, boolean createDatabase) throws IOException, InterruptedException {
        Files.writeString(cluster.directory().resolve("pg_hba.conf"), HBA.formatted(superuserLogin ? "" : SUPERUSER_REJECTED));
        List<String> statements = new ArrayList<>();
        statements.add(setting("owner_role", roles.owner()));
        statements.add(setting("runtime_role", roles.runtime()));
        statements.add(setting("scheduler_role", roles.scheduler()));
        statements.add(setting("owner_password", credentials.password(roles.owner())));
        statements.add(setting("runtime_password", credentials.password(roles.runtime())));
        statements.add(setting("scheduler_password", credentials.password(roles.scheduler())));
        statements.add(SqlScripts.read(ROLES_SCRIPT).strip());
        // NOLOGIN and no password: the superuser is reachable by no connection, whatever pg_hba.conf says
        statements.add(superuserLogin
                ? "ALTER ROLE " + EmbeddedCluster.SUPERUSER + " LOGIN PASSWORD '" + credentials.password(EmbeddedCluster.SUPERUSER) + "'"
                : "ALTER ROLE " + EmbeddedCluster.SUPERUSER + " NOLOGIN PASSWORD NULL");
        if (createDatabase) {
            statements.add("CREATE DATABASE " + EmbeddedPostgresServer.DATABASE + " OWNER " + roles.owner());
        }
        StringBuilder script = new StringBuilder();
        for (String statement : statements) {
            String text = statement.endsWith(";") ? statement.substring(0, statement.length() - 1) : statement;
            if (text.contains(STATEMENT_END)) {
                throw new IllegalStateException("a bootstrap statement holds the single-user terminator: " + text);
            }
            script.append(text).append(STATEMENT_END);
        }
        cluster.singleUser(script.toString());
    }

    /**
     * A session setting create_roles.sql reads. Literals inline, as the single-user backend binds
     * nothing: role names passed RoleNames' check and passwords are generated hex.
     */
    private static String setting(String name, String value) {
        if (!value.matches("[a-z0-9_]+")) {
            throw new IllegalStateException("iu_core_roles." + name + " holds characters the bootstrap does not quote");
        }
        return "SELECT set_config('iu_core_roles." + name + "', '" + value + "', false)";
    }
}
