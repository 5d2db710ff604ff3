package dev.iucore.pipeline.relay;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.spi.Policy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's one transaction idiom, used as {@code policy: ref: relayTransaction} in the YAML: the
 * steps inside it share one {@link RelayTransaction} ({@link RelayCommit#begin}), which commits when
 * they all succeed and then runs its after-commit hooks, or rolls back when one throws (then its
 * after-rollback hooks), the exception going on to the route. An exchange that already carries a transaction (the boundary
 * probe's) joins it and leaves ending it to its owner.
 */
public final class RelayTransactionPolicy implements Policy {

    private static final Logger LOG = LoggerFactory.getLogger(RelayTransactionPolicy.class);

    private final DataSource dataSource;

    public RelayTransactionPolicy(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void beforeWrap(Route route, NamedNode definition) {
        // nothing to prepare: every exchange begins its own transaction
    }

    @Override
    public Processor wrap(Route route, Processor steps) {
        return exchange -> {
            if (exchange.getProperty(RelayTransaction.PROPERTY) != null) {
                steps.process(exchange);
                return;
            }
            Connection connection = RelayCommit.open(dataSource);
            RelayTransaction transaction = new RelayTransaction(connection);
            try {
                exchange.setProperty(RelayTransaction.PROPERTY, transaction);
                steps.process(exchange);
                if (exchange.getException() != null) {
                    rollback(transaction);
                    return;
                }
                connection.commit();
                transaction.committed();
            } catch (Exception e) {
                rollback(transaction);
                throw e;
            } finally {
                exchange.removeProperty(RelayTransaction.PROPERTY);
                close(connection);
            }
        };
    }

    private static void rollback(RelayTransaction transaction) {
        try {
            transaction.connection().rollback();
        } catch (SQLException e) {
            LOG.warn("rollback failed (the connection is likely gone): {}", e.getMessage());
        }
        transaction.rolledBack();
    }

    private static void close(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("closing a broken connection: {}", e.getMessage());
        }
    }
}
