package dev.iucore.pipeline.relay;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One database transaction spanning the steps of a route: {@code begin} puts a connection on the
 * exchange, the steps use it, {@code commit} or {@code rollback} ends it. An exchange that already
 * carries a connection joins that transaction instead, and leaves ending it to its owner: that is
 * how a caller (the boundary probe) runs the real route inside a transaction it rolls back.
 */
public final class RelayTransaction {

    public static final String CONNECTION = "iuConnection";
    static final String OWNED = "iuConnectionOwned";

    private static final Logger LOG = LoggerFactory.getLogger(RelayTransaction.class);

    private final DataSource dataSource;

    public RelayTransaction(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void begin(Exchange exchange) throws SQLException {
        if (exchange.getProperty(CONNECTION) != null) {
            exchange.setProperty(OWNED, false);
            return;
        }
        Connection connection = dataSource.getConnection();
        RelayCommit.begin(connection);
        exchange.setProperty(CONNECTION, connection);
        exchange.setProperty(OWNED, true);
    }

    public void commit(Exchange exchange) throws SQLException {
        if (owned(exchange)) {
            connection(exchange).commit();
        }
    }

    public void rollback(Exchange exchange) {
        if (!owned(exchange)) {
            return;
        }
        try {
            connection(exchange).rollback();
        } catch (SQLException e) {
            LOG.warn("rollback failed (the connection is likely gone): {}", e.getMessage());
        }
    }

    public void close(Exchange exchange) {
        if (!owned(exchange)) {
            return;
        }
        Connection connection = exchange.getProperty(CONNECTION, Connection.class);
        exchange.removeProperty(CONNECTION);
        exchange.removeProperty(OWNED);
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("closing a broken connection: {}", e.getMessage());
        }
    }

    /** The transaction's connection; every step of the route uses this one. */
    public static Connection connection(Exchange exchange) {
        Connection connection = exchange.getProperty(CONNECTION, Connection.class);
        if (connection == null) {
            throw new IllegalStateException("no transaction on this exchange: the route must call relayTransaction.begin first");
        }
        return connection;
    }

    public static boolean owned(Exchange exchange) {
        return Boolean.TRUE.equals(exchange.getProperty(OWNED, Boolean.class));
    }
}
