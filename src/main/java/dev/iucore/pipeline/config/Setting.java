package dev.iucore.pipeline.config;

import java.util.Locale;

/**
 * Every property of ours, declared once with its default and meaning. Each key can also be given
 * as an environment variable (upper case, dots and dashes as underscores: {@code iu.db.url} is
 * {@code IU_DB_URL}), the same mapping Camel uses. The README's configuration table is checked
 * against this list by a test.
 */
public enum Setting {
    DB_URL("iu.db.url", "",
            "JDBC URL of an external PostgreSQL. Unset: the embedded PostgreSQL 15 under `iu.data-dir`.", true),
    DB_USER("iu.db.user", "iu_core_app",
            "Runtime role (DML only) the service and the commands connect as."),
    DB_PASSWORD("iu.db.password", "",
            "Password of the runtime role on an external PostgreSQL. Never logged, never a Camel property. The embedded one generates its own (`iu-core.pgpass`).", true),
    DB_OWNER_USER("iu.db.owner-user", "iu_core_owner",
            "Owner role that applies migrations (`migrate`, and `run` when `iu.migrate-on-start`)."),
    DB_OWNER_PASSWORD("iu.db.owner-password", "",
            "Password of the owner role on an external PostgreSQL. Never logged, never a Camel property. The embedded one generates its own (`iu-core.pgpass`).", true),
    DB_SCHEDULER_USER("iu.db.scheduler-user", "iu_core_scheduler",
            "Role Quartz connects as (its own small pool): the only role that may write the `qrtz_*` tables, and nothing else."),
    DB_SCHEDULER_PASSWORD("iu.db.scheduler-password", "",
            "Password of the scheduler role on an external PostgreSQL; unset there, Quartz keeps its schedule in memory instead (see An external PostgreSQL and the roles). Never logged, never a Camel property. The embedded one generates its own (`iu-core.pgpass`).", true),
    DB_POOL_SIZE("iu.db.pool-size", "16",
            "Maximum connections of the runtime connection pool; keep it above `iu.delivery.workers` + `iu.relay.dispatchers` + 3 (a connection for each SQL-action try and each dispatch batch, one each for the delivery claim, the recorder and the delayed lane); `run` warns at start when it is below."),
    DATA_DIR("iu.data-dir", "./data",
            "Directory of the embedded database (0700): the cluster in `pg/`, its binaries in `pg-bin/`, the lock, owner and credentials (`iu-core.pgpass`) files."),
    EMBEDDED_PORT("iu.embedded.port", "0",
            "TCP port of the embedded PostgreSQL on 127.0.0.1 (scram-sha-256, no Unix socket); 0 picks a free port at each start."),
    MIGRATE_ON_START("iu.migrate-on-start", "true",
            "`run` applies pending migrations as the owner role before it starts the routes."),
    ROUTES_DIR("iu.routes-dir", "",
            "Directory of operator-edited YAML routes (`*.yaml`), loaded after the packaged ones; each file is checked first (see Ops-edited routes)."),
    ROUTES_RELOAD("iu.routes-reload", "true",
            "Watch `iu.routes-dir` and apply a changed or added file once it passes the check; a file that fails leaves the running routes as they are."),
    NODE_ID("iu.node-id", "",
            "Name of this process in leases, attempts and the command log; empty = host:pid."),
    ACTOR("iu.actor", "",
            "Actor recorded for commands run without `--actor`; empty = the operating-system user."),
    RELAY_BATCH_SIZE("iu.relay.batch-size", "500",
            "Outbox events the dispatcher claims per batch (one transaction per batch)."),
    RELAY_POLL_INTERVAL_MS("iu.relay.poll-interval-ms", "1000",
            "Polling floor of the dispatcher in ms; LISTEN/NOTIFY on outbox inserts wakes it sooner."),
    RELAY_GATHER_MS("iu.relay.gather-ms", "10",
            "At a trickle of events, the dispatcher's pause after a pass that found less than a full batch, so the next pass takes what arrived meanwhile: fewer, larger transactions (and claims after them) for up to this much latency. While events flow, a pass that found any runs the next one after this pause, notification or not. A backlog drains without pausing; 0 = no pause, passes back to back while events flow."),
    RELAY_DISPATCHERS("iu.relay.dispatchers", "2",
            "Dispatch batches this process runs at once while a backlog drains, each in its own transaction: a full batch engages another dispatcher beside the first (SKIP LOCKED keeps their events apart; while a route is `ordered` they take turns). At a trickle one dispatcher runs. 1 = one batch after another."),
    RELAY_LISTEN("iu.relay.listen", "true",
            "Wake the dispatcher with LISTEN/NOTIFY on channel `iu_core_outbox` (polling stays the floor)."),
    DELIVERY_WORKERS("iu.delivery.workers", "8",
            "Concurrent delivery attempts of this process: the consumers of the `delivery-attempt` route, which reads it; the claimer leases for as many workers as that route runs."),
    DELIVERY_ROUTE_CONCURRENCY("iu.delivery.route-concurrency", "4",
            "Deliveries of one route in flight at once in this process to begin with; quick successes widen it (up to `iu.delivery.route-concurrency-max`), failures and slow tries halve it (down to 1)."),
    DELIVERY_ROUTE_CONCURRENCY_MAX("iu.delivery.route-concurrency-max", "128",
            "Most deliveries of one healthy, fast route in flight at once in this process."),
    DELIVERY_SLOW_TRY_MS("iu.delivery.slow-try-ms", "1000",
            "A try slower than this counts against its route's concurrency like a failure."),
    DELIVERY_BATCH_SIZE("iu.delivery.batch-size", "100",
            "Most deliveries one claim leases."),
    DELIVERY_BATCH_BYTES("iu.delivery.batch-bytes", "67108864",
            "Most payload bytes (as stored) one claim leases, its first delivery aside: with large events a claim takes fewer."),
    DELIVERY_POLL_INTERVAL_MS("iu.delivery.poll-interval-ms", "500",
            "Polling floor of the delivery claimer in ms (retries coming due, expired leases, deliveries created elsewhere); a poll claims only when a delivery is due and unleased. Dispatches, and finished attempts where more is due, wake it sooner."),
    DELIVERY_ALLOWED_NETWORKS("iu.delivery.allowed-networks", "",
            "Internal networks webhooks may reach, as CIDRs (`127.0.0.0/8,10.1.0.0/16`); loopback, private, link-local and metadata addresses are refused unless listed."),
    DELIVERY_LEASE_MS("iu.delivery.lease-ms", "60000",
            "Lease on a claimed delivery (at least its longest try + 5 s: a webhook's connect + read timeout, a Kafka send's 1.5 × `iu.kafka.delivery-timeout-ms` + 1 s); expired leases are reclaimed."),
    KAFKA_BROKERS("iu.kafka.brokers", "localhost:9092",
            "Bootstrap servers of the default Kafka cluster (`default`): the one of `kafka:<topic>` routes without a `kafka_cluster`. Its security is set by the `iu.kafka.clusters.default.*` keys below."),
    KAFKA_DELIVERY_TIMEOUT_MS("iu.kafka.delivery-timeout-ms", "20000",
            "The longest a Kafka try waits for the broker's acknowledgement (the producer's `delivery.timeout.ms`; `max.block.ms` and `request.timeout.ms` are half of it); then the try is a timeout and retried."),
    KAFKA_CLUSTER_BOOTSTRAP_SERVERS("iu.kafka.clusters.<name>.bootstrap-servers", "",
            "Declares the Kafka cluster `<name>` (lower case, digits, `_`) that routes choose with `kafka_cluster`: its bootstrap servers. Not for `default`, whose servers are `iu.kafka.brokers`."),
    KAFKA_CLUSTER_SECURITY_PROTOCOL("iu.kafka.clusters.<name>.security-protocol", "PLAINTEXT",
            "`PLAINTEXT`, `SSL`, `SASL_PLAINTEXT` or `SASL_SSL`."),
    KAFKA_CLUSTER_SASL_MECHANISM("iu.kafka.clusters.<name>.sasl-mechanism", "",
            "With a `SASL_*` protocol: `SCRAM-SHA-256`, `SCRAM-SHA-512` or `PLAIN`."),
    KAFKA_CLUSTER_SASL_USERNAME("iu.kafka.clusters.<name>.sasl-username", "",
            "With a `SASL_*` protocol: the user the service authenticates as."),
    KAFKA_CLUSTER_SASL_PASSWORD_REF("iu.kafka.clusters.<name>.sasl-password-ref", "",
            "With a `SASL_*` protocol: the name of an environment variable `IU_KAFKA_SECRET_…` holding the password; never the password."),
    KAFKA_CLUSTER_TRUSTSTORE_PATH("iu.kafka.clusters.<name>.truststore-path", "",
            "With `SSL` or `SASL_SSL`: the trust store of the brokers' certificates (or their CA); empty = the JVM's default trust. Host names are verified."),
    KAFKA_CLUSTER_TRUSTSTORE_TYPE("iu.kafka.clusters.<name>.truststore-type", "PKCS12",
            "`PKCS12`, `JKS` or `PEM`."),
    KAFKA_CLUSTER_TRUSTSTORE_PASSWORD_REF("iu.kafka.clusters.<name>.truststore-password-ref", "",
            "The name of an environment variable `IU_KAFKA_SECRET_…` holding the trust store's password; empty = none."),
    CLI_CONNECTOR("iu.cli-connector", "false",
            "Let Camel JBang (`camel get routes`, `camel top`) attach to `run`; it writes status files under `~/.camel` of the service's user."),
    LOG_LEVEL("iu.log.level", "INFO",
            "Level of the service's log (`run`); commands log warnings only unless `--verbose`."),
    LOG_FORMAT("iu.log.format", "text",
            "Format of the service's log (`run`) on stderr: `text`, or `json` (one JSON object per line, logback's JsonEncoder)."),
    METRICS_REFRESH_INTERVAL_MS("iu.metrics.refresh-interval-ms", "5000",
            "How often the database gauges of `/observe/metrics` (backlog, oldest pending age, gates, circuits, retention) are read; a scrape never queries."),
    CONSOLE_ENABLED("iu.console.enabled", "false",
            "`run` serves the operator HTTP API (`/api/v1/`, its OpenAPI document at `/api/openapi.json`; see The operator API) and the console at `/` (see The operator console); needs `iu.console.users-file`."),
    CONSOLE_HOST("iu.console.host", "127.0.0.1",
            "Address the operator API and console listen on."),
    CONSOLE_PORT("iu.console.port", "9877",
            "Port of the operator API and console."),
    CONSOLE_SECURE_COOKIES("iu.console.secure-cookies", "false",
            "Mark the console's session and CSRF cookies `Secure`: set it when browsers reach the console over HTTPS (a TLS-terminating proxy in front); they then send the cookies over HTTPS only."),
    CONSOLE_SIGN_IN_FAILURES("iu.console.sign-in-failures", "5",
            "Failed sign-ins in a row (the console's form, the API's HTTP Basic) for one user name or one client address before sign-in there is refused with 429 and `Retry-After`, for 30 s, doubled with each further failure up to 15 min; a sign-in that succeeds clears the count. Behind a proxy every client has the proxy's address."),
    CONSOLE_USERS_FILE("iu.console.users-file", "",
            "Users of the operator API with their role and hashed password and tokens, written by `iu-core console add-user`; mode 0600 or the service refuses to start."),
    CONFIG_FILE("iu.config-file", "",
            "Optional properties file read after the packaged `application.properties`."),
    RETENTION_CRON("iu.retention.cron", "0 15 3 * * ?",
            "Quartz cron of the scheduled retention run (`routes/retention.yaml`); it fires once across all nodes."),
    RETENTION_APPLY("iu.retention.apply", "false",
            "The scheduled retention run deletes (while gate `retention_enabled` is open); `false`: it only counts (dry run)."),
    DELAYED_LANE_CRON("iu.delayed-lane.cron", "0 * * * * ?",
            "Quartz cron of the delayed lane (`routes/delayed-lane.yaml`): it releases held events through the gates and the route table; it fires once across all nodes."),
    DELAYED_LANE_BATCH_SIZE("iu.delayed-lane.batch-size", "500",
            "Held events the delayed lane releases per batch (one transaction per batch)."),
    SCALEOUT_CRON("iu.scaleout.cron", "0 30 2 * * ?",
            "Quartz cron of the scheduled scaleout batch (`routes/scaleout.yaml`); it does nothing while `iu.scaleout.templates` is empty."),
    SCALEOUT_TEMPLATES("iu.scaleout.templates", "",
            "Template mix of the scheduled scaleout batch, e.g. `tpl:file:status-report/v2,tpl:wf:onboarding/v2`; empty = no scheduled batches."),
    SCALEOUT_N("iu.scaleout.n", "20",
            "Instances each scheduled scaleout batch composes."),
    SCALEOUT_ACTOR("iu.scaleout.actor", "iu-core-scheduler",
            "Actor of the scheduled scaleout batches: `iu-core rollback --actor` with it removes every one of them."),
    BACKUP_DIR("iu.backup.dir", "",
            "Directory of `iu-core backup` archives and their `.sha256` files; empty = `backups/` under `iu.data-dir`."),
    PG_BIN_DIR("iu.pg-bin-dir", "",
            "Directory of the PostgreSQL client tools `pg_dump` and `pg_restore`; empty = the `PATH`, then `/usr/lib/postgresql/<major>/bin`."),
    HEALTH_MAX_BACKLOG("iu.health.max-backlog", "10000",
            "`verify health` fails when more outbox events than this are pending."),
    HEALTH_MAX_PENDING_AGE_SECONDS("iu.health.max-pending-age-seconds", "300",
            "`verify health` fails when the oldest pending outbox event was created longer ago than this."),
    HEALTH_MAX_HELD("iu.health.max-held", "10000",
            "`verify health` fails when more outbox events than this are held for the delayed lane."),
    HEALTH_MAX_RETRYING("iu.health.max-retrying", "100",
            "`verify health` fails when more deliveries than this are waiting to be retried."),
    HEALTH_MAX_OPEN_DEAD_LETTERS("iu.health.max-open-dead-letters", "0",
            "`verify health` fails when more dead letters than this are neither replayed nor resolved."),
    HEALTH_LEASE_GRACE_SECONDS("iu.health.lease-grace-seconds", "60",
            "A lease on a still-open outbox event or delivery that expired longer ago than this is stuck."),
    HEALTH_MAX_STUCK_LEASES("iu.health.max-stuck-leases", "0",
            "`verify health` fails when more leases than this are stuck."),
    HEALTH_MAX_DEAD_TUPLE_RATIO("iu.health.max-dead-tuple-ratio", "0.2",
            "`verify health` fails when a hot table with at least 1000 dead tuples has a larger share of dead ones.");

    private final String key;
    private final String defaultValue;
    private final String description;
    private final boolean secret;

    Setting(String key, String defaultValue, String description) {
        this(key, defaultValue, description, false);
    }

    Setting(String key, String defaultValue, String description, boolean secret) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
        this.secret = secret;
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /**
     * A password, or the URL that may carry one: read by Java only, never handed to Camel, whose
     * placeholders, {@code ${properties:…}} and startup summary would otherwise reach it.
     */
    public boolean secret() {
        return secret;
    }

    /** What a value must be: type and range, checked once at start and at every read ({@link Settings}). */
    public ValueRule rule() {
        return switch (this) {
            case MIGRATE_ON_START, ROUTES_RELOAD, RELAY_LISTEN, CLI_CONNECTOR, RETENTION_APPLY, CONSOLE_ENABLED,
                 CONSOLE_SECURE_COOKIES -> ValueRule.BOOLEAN;
            case RETENTION_CRON, DELAYED_LANE_CRON, SCALEOUT_CRON -> ValueRule.CRON;
            case LOG_FORMAT -> ValueRule.oneOf("text", "json");
            case LOG_LEVEL -> ValueRule.oneOf("trace", "debug", "info", "warn", "error", "off");
            case DB_POOL_SIZE -> ValueRule.whole(2, 1000);
            case EMBEDDED_PORT -> ValueRule.whole(0, 65535);
            case CONSOLE_PORT -> ValueRule.whole(1, 65535);
            case CONSOLE_SIGN_IN_FAILURES -> ValueRule.whole(1, 1000);
            case RELAY_BATCH_SIZE, DELAYED_LANE_BATCH_SIZE -> ValueRule.whole(1, 50_000);
            case RELAY_POLL_INTERVAL_MS, DELIVERY_POLL_INTERVAL_MS -> ValueRule.whole(10, 3_600_000);
            case RELAY_GATHER_MS -> ValueRule.whole(0, 1000);
            case RELAY_DISPATCHERS -> ValueRule.whole(1, 16);
            // the delivery-attempt route's seda consumers: Camel refuses more than 500 (limitConcurrentConsumers)
            case DELIVERY_WORKERS -> ValueRule.whole(1, 500);
            case DELIVERY_ROUTE_CONCURRENCY, DELIVERY_ROUTE_CONCURRENCY_MAX -> ValueRule.whole(1, 1024);
            case DELIVERY_SLOW_TRY_MS -> ValueRule.whole(1, 3_600_000);
            case DELIVERY_BATCH_SIZE -> ValueRule.whole(1, 10_000);
            case DELIVERY_BATCH_BYTES -> ValueRule.whole(1, Integer.MAX_VALUE);
            case DELIVERY_LEASE_MS -> ValueRule.whole(1000, 86_400_000);
            case KAFKA_DELIVERY_TIMEOUT_MS -> ValueRule.whole(1000, 600_000);
            case METRICS_REFRESH_INTERVAL_MS -> ValueRule.whole(100, 3_600_000);
            case SCALEOUT_N -> ValueRule.whole(1, 100_000);
            case HEALTH_MAX_BACKLOG, HEALTH_MAX_PENDING_AGE_SECONDS, HEALTH_MAX_HELD, HEALTH_MAX_RETRYING,
                 HEALTH_MAX_OPEN_DEAD_LETTERS, HEALTH_LEASE_GRACE_SECONDS, HEALTH_MAX_STUCK_LEASES ->
                    ValueRule.whole(0, Integer.MAX_VALUE);
            case HEALTH_MAX_DEAD_TUPLE_RATIO -> ValueRule.number(0, 1);
            default -> ValueRule.TEXT;
        };
    }

    public String envName() {
        return envName(key);
    }

    /** A setting of each named thing ({@code iu.kafka.clusters.<name>.…}): its key holds {@code <name>}. */
    public boolean named() {
        return key.contains(NAME);
    }

    /** The key of a {@link #named()} setting for one name. */
    public String key(String name) {
        return key.replace(NAME, name);
    }

    static final String NAME = "<name>";

    /** The environment variable that carries a property: Camel's own mapping. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
