package dev.iucore.pipeline.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.testing.DatabaseExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;

/** Two schedulers of one cluster on one database, as two processes would run them. */
class ClusteredQuartzTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String CLUSTER = "iu-core-cluster-test";
    private static final int TRIGGERS = 3;
    private static final int FIRES_PER_TRIGGER = 8;

    /** Every execution, as trigger@scheduled-fire-time by node. */
    static final Queue<String[]> FIRES = new ConcurrentLinkedQueue<>();

    /** Records its firing; public with a no-argument constructor so both schedulers can instantiate it. */
    public static class RecordingJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            try {
                FIRES.add(new String[] {context.getTrigger().getKey().getName() + "@"
                        + context.getScheduledFireTime().getTime(), context.getScheduler().getSchedulerInstanceId()});
            } catch (SchedulerException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void twoSchedulersOnOneDatabaseFireEachTriggerOnce() throws Exception {
        Scheduler nodeA = clusterNode("node-a");
        Scheduler nodeB = clusterNode("node-b");
        try {
            // scheduled in the shared store before either node starts, so both compete from the first firing
            List<TriggerKey> keys = new ArrayList<>();
            Date start = new Date(System.currentTimeMillis() + 2_000);
            for (int i = 0; i < TRIGGERS; i++) {
                TriggerKey key = TriggerKey.triggerKey("every-300ms-" + i, "test");
                keys.add(key);
                nodeA.scheduleJob(JobBuilder.newJob(RecordingJob.class).withIdentity("job-" + i, "test").build(),
                        TriggerBuilder.newTrigger().withIdentity(key).startAt(start)
                                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(300)
                                        .withRepeatCount(FIRES_PER_TRIGGER - 1)).build());
            }
            nodeA.start();
            nodeB.start();

            // a trigger leaves the store after its last firing
            await().atMost(Duration.ofSeconds(60)).until(() -> remaining(nodeB, keys) == 0
                    && nodeA.getCurrentlyExecutingJobs().isEmpty() && nodeB.getCurrentlyExecutingJobs().isEmpty());

            assertThat(DB.db().query("SELECT instance_name FROM qrtz_scheduler_state WHERE sched_name = ?", CLUSTER))
                    .containsExactlyInAnyOrder(Map.of("instance_name", "node-a"), Map.of("instance_name", "node-b"));
            List<String> firings = FIRES.stream().map(f -> f[0]).toList();
            assertThat(firings).as("fired by %s", FIRES.stream().map(f -> f[1]).distinct().toList())
                    .hasSize(TRIGGERS * FIRES_PER_TRIGGER).doesNotHaveDuplicates();
        } finally {
            nodeA.shutdown(true);
            nodeB.shutdown(true);
        }
    }

    private static int remaining(Scheduler scheduler, List<TriggerKey> keys) throws SchedulerException {
        int remaining = 0;
        for (TriggerKey key : keys) {
            remaining += scheduler.getTrigger(key) == null ? 0 : 1;
        }
        return remaining;
    }

    private static Scheduler clusterNode(String instanceId) throws SchedulerException {
        Scheduler scheduler = ClusteredQuartz.schedulerFactory(CLUSTER, instanceId, DB.db().scheduler()).getScheduler();
        // Quartz keeps one scheduler per name in a JVM-wide registry; two processes would each have their own
        SchedulerRepository.getInstance().remove(CLUSTER);
        return scheduler;
    }
}
