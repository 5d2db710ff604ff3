package dev.iucore.pipeline.relay;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for the relay's short records: items handed over at about the same time are written
 * in one transaction (one statement for the group, one commit) by this committer's own thread, and
 * each is then called back with what was written for it, or with the group's failure. Whoever hands
 * an item over does not wait for the database: a delivery worker goes on to its next try while its
 * last one commits. Nothing is written twice and nothing waits for a timer: the thread writes
 * whatever is queued as soon as the previous group committed.
 *
 * @param <T> what one caller records
 * @param <R> what the write says of one item, once committed (null: nothing was written for it)
 */
public final class GroupCommit<T, R> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    /** Writes a group on the transaction's connection and says, item by item, what it wrote. */
    @FunctionalInterface
    public interface Writer<T, R> {
        List<R> write(Connection connection, List<T> items) throws SQLException;
    }

    private record Waiting<T, R>(T item, BiConsumer<R, Exception> done) {
    }

    private final DataSource dataSource;
    private final int maxGroup;
    private final Writer<T, R> writer;
    private final String threadName;
    private final LinkedBlockingQueue<Waiting<T, R>> queue = new LinkedBlockingQueue<>();
    private Thread committer;
    private volatile boolean closed;

    public GroupCommit(DataSource dataSource, int maxGroup, Writer<T, R> writer, String threadName) {
        this.dataSource = dataSource;
        this.maxGroup = maxGroup;
        this.writer = writer;
        this.threadName = threadName;
    }

    /**
     * Queues the item for the next group and returns at once; {@code done} runs on the committer's
     * thread once the group committed (result, null) or failed (null, the failure).
     */
    public void submit(T item, BiConsumer<R, Exception> done) {
        synchronized (this) {
            if (closed) {
                done.accept(null, new IllegalStateException(threadName + " is closed: nothing more is recorded"));
                return;
            }
            if (committer == null) {
                committer = new Thread(this::commitQueued, threadName);
                committer.setDaemon(true);
                committer.start();
            }
            queue.add(new Waiting<>(item, done));
        }
    }

    /** Writes the item with whatever else is queued; returns once it committed. */
    public R commit(T item) throws SQLException, InterruptedException {
        CompletableFuture<R> committed = new CompletableFuture<>();
        submit(item, (result, failure) -> {
            if (failure == null) {
                committed.complete(result);
            } else {
                committed.completeExceptionally(failure);
            }
        });
        try {
            return committed.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    /** Writes what is still queued, then stops the thread. */
    @Override
    public void close() throws InterruptedException {
        Thread running;
        synchronized (this) {
            closed = true;
            running = committer;
        }
        if (running != null) {
            running.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    private void commitQueued() {
        List<Waiting<T, R>> group = new ArrayList<>();
        while (true) {
            Waiting<T, R> first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                first = null;
            }
            if (first == null) {
                // under the lock submit starts a thread under: an item queued meanwhile is never left without one
                synchronized (this) {
                    if ((closed || Thread.interrupted()) && queue.isEmpty()) {
                        committer = null;
                        return;
                    }
                }
                continue;
            }
            group.clear();
            group.add(first);
            queue.drainTo(group, maxGroup - 1);
            write(group);
        }
    }

    /**
     * Every item of the group is called back, whatever fails: an item left uncalled would hold its
     * caller's slot for good (a delivery worker's count in DeliveryClaimer), and a committer thread
     * ended by an Error would leave every later item uncalled.
     */
    private void write(List<Waiting<T, R>> group) {
        List<R> results;
        try (Connection connection = RelayCommit.open(dataSource)) {
            try {
                results = writer.write(connection, group.stream().map(Waiting::item).toList());
                if (results.size() != group.size()) {
                    throw new IllegalStateException(threadName + ": " + results.size() + " results for a group of " + group.size());
                }
                connection.commit();
            } catch (SQLException | RuntimeException | Error e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            group.forEach(waiting -> call(waiting, null, e));
            return;
        } catch (Error e) {
            LOG.error("{}: a group of {} failed, rolled back: {}", threadName, group.size(), e.toString(), e);
            IllegalStateException failure = new IllegalStateException(e.toString(), e);
            group.forEach(waiting -> call(waiting, null, failure));
            return;
        }
        for (int i = 0; i < group.size(); i++) {
            call(group.get(i), results.get(i), null);
        }
    }

    /** A caller's continuation runs here; whatever it throws must not stop the committer. */
    private static <T, R> void call(Waiting<T, R> waiting, R result, Exception failure) {
        try {
            waiting.done().accept(result, failure);
        } catch (RuntimeException | Error e) {
            LOG.warn("a group commit's caller failed after its record: {}", e.toString(), e);
        }
    }
}
