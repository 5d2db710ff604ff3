package dev.iucore.pipeline.gates;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads and changes gates through the SQL functions of migration V002, so Java and SQL agree. */
public final class GateService {

    private static final Logger LOG = LoggerFactory.getLogger(GateService.class);

    static final String LIST = """
            SELECT gate_name, kind, gate_value, fn_iu_core_gate_open(gate_name), description, updated_at, updated_by
            FROM iu_core_gate ORDER BY gate_name""";
    static final String SET = "SELECT old_value, new_value, fn_iu_core_gate_open(gate_name) FROM fn_iu_core_gate_set(?, ?, ?, ?)";
    static final String IS_OPEN = "SELECT fn_iu_core_gate_open(?)";
    static final String LIST_ITEMS = "SELECT fn_iu_core_gate_list(?)";

    private final DataSource dataSource;

    public GateService(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public List<GateState> list() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return list(c);
        }
    }

    /** Every gate on the caller's connection. */
    public static List<GateState> list(Connection c) throws SQLException {
        List<GateState> gates = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(LIST);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                gates.add(new GateState(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                        rs.getString(5), rs.getObject(6, java.time.OffsetDateTime.class), rs.getString(7)));
            }
        }
        return gates;
    }

    /** Persistently sets a gate's value; the database validates it and writes the audit row. */
    public GateChange set(Gate gate, String value, String actor, String reason) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(SET)) {
            ps.setString(1, gate.sqlName());
            ps.setString(2, value);
            ps.setString(3, actor);
            ps.setString(4, reason);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new GateChange(gate.sqlName(), rs.getString(1), rs.getString(2), rs.getBoolean(3), actor, reason);
            }
        }
    }

    /**
     * Is the gate open for this connection's transaction? Fail-closed: any error reads as closed.
     */
    public static boolean isOpen(Connection connection, Gate gate) {
        try (PreparedStatement ps = connection.prepareStatement(IS_OPEN)) {
            ps.setString(1, gate.sqlName());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        } catch (SQLException e) {
            LOG.warn("gate {} reads as closed: {}", gate.sqlName(), e.getMessage());
            return false;
        }
    }

    /** The items of a list gate for this connection's transaction; empty on any error. */
    public static List<String> items(Connection connection, Gate gate) {
        try (PreparedStatement ps = connection.prepareStatement(LIST_ITEMS)) {
            ps.setString(1, gate.sqlName());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getArray(1) == null) {
                    return List.of();
                }
                return List.of((String[]) rs.getArray(1).getArray());
            }
        } catch (SQLException e) {
            LOG.warn("gate {} reads as empty: {}", gate.sqlName(), e.getMessage());
            return List.of();
        }
    }
}
