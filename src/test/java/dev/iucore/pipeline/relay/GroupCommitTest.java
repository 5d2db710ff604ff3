package dev.iucore.pipeline.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.testing.DatabaseExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The relay's group commit alone, on the database: items queued together share one transaction, and
 * every item is called back whatever fails (a writer's error, a caller's continuation, an interrupt),
 * for an item never called back would hold its delivery's slot for good.
 */
class GroupCommitTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String THREAD = "group-commit-test";

    /** What each call back said: the item's result, or its failure's message. */
    private final Map<Integer, String> calledBack = new ConcurrentHashMap<>();
    private final List<Integer> groupSizes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void table() {
        DB.db().update("DROP TABLE IF EXISTS group_commit_test");
        DB.db().update("CREATE TABLE group_commit_test (item int PRIMARY KEY)");
    }

    @Test
    void itemsQueuedWhileAGroupCommitsAreWrittenTogetherAndEachIsCalledBackWithItsOwnResult() throws Exception {
        CountDownLatch firstGroupWriting = new CountDownLatch(1);
        CountDownLatch letFirstGroupCommit = new CountDownLatch(1);
        try (GroupCommit<Integer, String> commit = new GroupCommit<>(DB.db().owner(), 100, (connection, items) -> {
            if (groupSizes.isEmpty()) {
                firstGroupWriting.countDown();
                awaitLatch(letFirstGroupCommit);
            }
            return insert(connection, items);
        }, THREAD)) {
            submit(commit, 1);
            assertThat(firstGroupWriting.await(10, TimeUnit.SECONDS)).isTrue();
            for (int item = 2; item <= 6; item++) {
                submit(commit, item);
            }
            letFirstGroupCommit.countDown();
            awaitCalledBack(6);
        }
        assertThat(groupSizes).containsExactly(1, 5);
        assertThat(calledBack).containsEntry(1, "written 1").containsEntry(6, "written 6").hasSize(6);
        assertThat(DB.db().queryLong("SELECT count(*) FROM group_commit_test")).isEqualTo(6);
    }

    @Test
    void aWriterThatFailsWithAnErrorRollsBackItsGroupCallsEachItemBackAndTheNextGroupIsWritten() throws Exception {
        try (GroupCommit<Integer, String> commit = new GroupCommit<>(DB.db().owner(), 100, (connection, items) -> {
            List<String> written = insert(connection, items);
            if (items.contains(1)) {
                throw new StackOverflowError("writer overflowed");
            }
            return written;
        }, THREAD)) {
            submit(commit, 1);
            awaitCalledBack(1);
            submit(commit, 2);
            awaitCalledBack(2);
        }
        assertThat(calledBack).containsEntry(1, "failed: java.lang.StackOverflowError: writer overflowed")
                .containsEntry(2, "written 2");
        assertThat(DB.db().query("SELECT item FROM group_commit_test")).as("the failed group rolled back")
                .containsExactly(Map.of("item", 2));
    }

    @Test
    void aWriterThatSaysLessThanItsGroupFailsTheGroupInsteadOfLeavingAnItemUncalled() throws Exception {
        try (GroupCommit<Integer, String> commit = new GroupCommit<>(DB.db().owner(), 100,
                (connection, items) -> insert(connection, items).subList(0, items.size() - 1), THREAD)) {
            submit(commit, 1);
            awaitCalledBack(1);
        }
        assertThat(calledBack).containsEntry(1, "failed: " + THREAD + ": 0 results for a group of 1");
        assertThat(DB.db().queryLong("SELECT count(*) FROM group_commit_test")).isZero();
    }

    @Test
    void aCallersContinuationThatThrowsAnErrorDoesNotStopTheCommitter() throws Exception {
        try (GroupCommit<Integer, String> commit = new GroupCommit<>(DB.db().owner(), 100, this::insert, THREAD)) {
            commit.submit(1, (result, failure) -> {
                calledBack.put(1, result);
                throw new AssertionError("a caller's bug");
            });
            awaitCalledBack(1);
            assertThat(commitWithin(commit, 2)).isEqualTo("written 2");
        }
    }

    @Test
    void anItemQueuedAfterTheIdleCommitterWasInterruptedIsStillWritten() throws Exception {
        try (GroupCommit<Integer, String> commit = new GroupCommit<>(DB.db().owner(), 100, this::insert, THREAD)) {
            assertThat(commitWithin(commit, 1)).isEqualTo("written 1");
            Thread committer = Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().equals(THREAD)).findFirst().orElseThrow();
            committer.interrupt();
            committer.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(committer.isAlive()).as("an interrupt stops the idle committer").isFalse();

            assertThat(commitWithin(commit, 2)).isEqualTo("written 2");
        }
    }

    @Test
    void closingWritesWhatIsQueuedAndRefusesWhatComesAfter() throws Exception {
        GroupCommit<Integer, String> commit = new GroupCommit<>(DB.db().owner(), 100, this::insert, THREAD);
        for (int item = 1; item <= 3; item++) {
            submit(commit, item);
        }
        commit.close();
        assertThat(calledBack).containsEntry(1, "written 1").containsEntry(3, "written 3");
        submit(commit, 4);
        assertThat(calledBack).containsEntry(4, "failed: " + THREAD + " is closed: nothing more is recorded");
        assertThat(DB.db().queryLong("SELECT count(*) FROM group_commit_test")).isEqualTo(3);
    }

    private List<String> insert(Connection connection, List<Integer> items) throws SQLException {
        groupSizes.add(items.size());
        List<String> written = new ArrayList<>();
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO group_commit_test (item) VALUES (?)")) {
            for (int item : items) {
                insert.setInt(1, item);
                insert.addBatch();
                written.add("written " + item);
            }
            insert.executeBatch();
        }
        return written;
    }

    private void submit(GroupCommit<Integer, String> commit, int item) {
        commit.submit(item, (result, failure) -> calledBack.put(item, failure == null ? result : "failed: " + failure.getMessage()));
    }

    private void awaitCalledBack(int items) {
        await().atMost(Duration.ofSeconds(10)).until(() -> calledBack.size() >= items);
    }

    /** Its commit, or a failure after 10 s: a committer that stopped leaves it waiting for good. */
    private static String commitWithin(GroupCommit<Integer, String> commit, int item) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return commit.commit(item);
            } catch (SQLException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }).get(10, TimeUnit.SECONDS);
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
