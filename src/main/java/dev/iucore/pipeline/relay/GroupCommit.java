package dev.iucore.pipeline.relay;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import javax.sql.DataSource;

/**
 * Group commit for the relay's short records: threads that finish work at about the same time
 * write it in one transaction (one statement for the group, one commit) instead of one each. A
 * caller waits until its item committed, or gets the group's failure; nothing is written twice and
 * nothing waits for a timer. There is no thread of its own: the first caller that finds no group
 * being written writes everything queued by then, its own item included, and hands the turn on.
 *
 * @param <T> what one caller records
 * @param <R> what the write says of one item, once committed (null: nothing was written for it)
 */
public final class GroupCommit<T, R> {

    /** Writes a group on the transaction's connection and says, item by item, what it wrote. */
    @FunctionalInterface
    public interface Writer<T, R> {
        List<R> write(Connection connection, List<T> items) throws SQLException;
    }

    private record Waiting<T, R>(T item, CompletableFuture<R> done) {
    }

    private final DataSource dataSource;
    private final int maxGroup;
    private final Writer<T, R> writer;
    private final LinkedBlockingQueue<Waiting<T, R>> queue = new LinkedBlockingQueue<>();
    private boolean writing;

    public GroupCommit(DataSource dataSource, int maxGroup, Writer<T, R> writer) {
        this.dataSource = dataSource;
        this.maxGroup = maxGroup;
        this.writer = writer;
    }

    /** Writes the item with whatever else is queued; returns once it committed. */
    public R commit(T item) throws SQLException, InterruptedException {
        Waiting<T, R> mine = new Waiting<>(item, new CompletableFuture<>());
        queue.add(mine);
        while (!mine.done().isDone()) {
            synchronized (this) {
                while (writing && !mine.done().isDone()) {
                    wait();
                }
                if (mine.done().isDone()) {
                    break;
                }
                writing = true;
            }
            try {
                writeQueued();
            } finally {
                synchronized (this) {
                    writing = false;
                    notifyAll();
                }
            }
        }
        try {
            return mine.done().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void writeQueued() {
        List<Waiting<T, R>> group = new ArrayList<>();
        queue.drainTo(group, maxGroup);
        if (group.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            RelayCommit.begin(connection);
            List<R> results;
            try {
                results = writer.write(connection, group.stream().map(Waiting::item).toList());
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
            for (int i = 0; i < group.size(); i++) {
                group.get(i).done().complete(results.get(i));
            }
        } catch (SQLException | RuntimeException e) {
            group.forEach(waiting -> waiting.done().completeExceptionally(e));
        }
    }
}
