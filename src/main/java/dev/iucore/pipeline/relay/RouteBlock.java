package dev.iucore.pipeline.relay;

/**
 * What stops a route from delivering now: the {@code blocked_by} answers of the one rule,
 * {@code fn_iu_core_route_permissions} (V040), put into words for whoever was refused (dead-letter
 * replay, backfill).
 */
public final class RouteBlock {

    private RouteBlock() {
    }

    /** Why {@code routeKey} may not deliver, for a {@code blocked_by} code; null when it may. */
    public static String explain(String blockedBy, String routeKey) {
        if (blockedBy == null) {
            return null;
        }
        return switch (blockedBy) {
            case "delivery_closed" -> "gate delivery_enabled is closed";
            case "route_disabled" -> "route " + routeKey + " is disabled";
            case "not_live" -> "route " + routeKey + " is not listed in gate delivery_live_routes";
            case "sql_routes_closed" -> "gate sql_routes_enabled is closed";
            default -> "route " + routeKey + " is blocked: " + blockedBy;
        };
    }
}
