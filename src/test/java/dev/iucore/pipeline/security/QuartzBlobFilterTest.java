package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.service.ClusteredQuartz;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectOutputStream;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.JobPersistenceException;
import org.quartz.Scheduler;

/**
 * The scheduler role writes the {@code qrtz_*} tables Quartz runs on (the runtime role cannot,
 * {@code QuartzTablesTest}); what even that role writes into a blob column is deserialized by the
 * scheduler only into the classes Quartz and Camel keep there.
 */
class QuartzBlobFilterTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    /** A job the scheduler could run; never fired here. */
    public static class IdleJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            // nothing: the test only stores and reads it back
        }
    }

    @Test
    void jobDataOfOtherClassesWrittenIntoTheStoreIsRefusedWhenTheSchedulerReadsIt() throws Exception {
        Scheduler scheduler = ClusteredQuartz.schedulerFactory("iu-core-filter-test", "filter-node", DB.db().scheduler())
                .getScheduler();
        try {
            JobKey key = JobKey.jobKey("filtered", "iu-core-filter-test");
            scheduler.addJob(JobBuilder.newJob(IdleJob.class).withIdentity(key).storeDurably()
                    .usingJobData("endpoint", "quartz://iu-core-batches/retention").usingJobData("count", 3).build(), false);
            JobDetail stored = scheduler.getJobDetail(key);
            assertThat(stored.getJobDataMap()).containsEntry("endpoint", "quartz://iu-core-batches/retention")
                    .containsEntry("count", 3);

            JobDataMap forged = new JobDataMap();
            forged.put("payload", URI.create("https://attacker.example/gadget"));
            writeJobData(key, serialized(forged));
            assertThatThrownBy(() -> scheduler.getJobDetail(key)).isInstanceOf(JobPersistenceException.class)
                    .hasRootCauseInstanceOf(InvalidClassException.class)
                    .rootCause().hasMessageContaining("REJECTED");
        } finally {
            scheduler.shutdown();
        }
    }

    /** As the scheduler role, which Quartz itself runs as. */
    private static void writeJobData(JobKey key, byte[] data) throws SQLException {
        try (Connection c = DB.db().scheduler().getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE qrtz_job_details SET job_data = ? WHERE job_name = ? AND job_group = ?")) {
            ps.setBytes(1, data);
            ps.setString(2, key.getName());
            ps.setString(3, key.getGroup());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private static byte[] serialized(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }
}
