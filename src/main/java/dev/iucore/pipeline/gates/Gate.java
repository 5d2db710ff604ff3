package dev.iucore.pipeline.gates;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The eleven write gates of DESIGN §5, as seeded by migration V002. */
public enum Gate {
    DELIVERY_ENABLED,
    DELIVERY_LIVE_ROUTES,
    SQL_ROUTES_ENABLED,
    COMPOSER_ENABLED,
    AUTO_INSTANTIATE_ENABLED,
    SCALEOUT_ENABLED,
    RETENTION_ENABLED,
    DEAD_LETTER_REPLAY_ENABLED,
    ENVELOPE_REFRESH_ENABLED,
    VECTOR_SYNC_ENABLED,
    LIFECYCLE_ENABLED;

    /** The gate's name in the database and on the command line. */
    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A gate whose value is a comma list rather than true/false. */
    public boolean isList() {
        return this == DELIVERY_LIVE_ROUTES;
    }

    public static Optional<Gate> fromSqlName(String name) {
        return Arrays.stream(values()).filter(g -> g.sqlName().equals(name)).findFirst();
    }

    public static String allNames() {
        return Arrays.stream(values()).map(Gate::sqlName).collect(Collectors.joining(", "));
    }
}
