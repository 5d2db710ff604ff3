package dev.iucore.pipeline.scaleout;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Setting;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import javax.sql.DataSource;
import org.apache.camel.Header;

/**
 * The scheduled scaleout batch of {@code routes/scaleout.yaml}: its mix, count and actor come from
 * properties, and each scheduled firing is its own batch, named by its scheduled time, so a firing
 * that runs twice (a misfire recovered, a node taking over) composes its instances once. With no
 * template mix configured (the default) there is nothing to run.
 */
public final class ScheduledScaleout {

    private final ScaleoutRunner runner;
    private final List<TemplateVersion> templates;
    private final int count;
    private final String actor;
    private final PipelineMetrics metrics;

    /** Checks the properties when the service starts, not when the schedule first fires. */
    public ScheduledScaleout(DataSource dataSource, String templates, int count, String actor, PipelineMetrics metrics) {
        this.runner = new ScaleoutRunner(dataSource);
        this.metrics = metrics;
        try {
            this.templates = TemplateVersion.parseList(templates);
            if (!this.templates.isEmpty()) {
                ScaleoutBatch.of(actor, count, this.templates, null);
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("the scheduled scaleout (" + Setting.SCALEOUT_TEMPLATES.key() + ", "
                    + Setting.SCALEOUT_N.key() + ", " + Setting.SCALEOUT_ACTOR.key() + "): " + e.getMessage());
        }
        this.count = count;
        this.actor = actor;
    }

    /** Is there a batch to run: a template mix configured? */
    public boolean configured() {
        return !templates.isEmpty();
    }

    /** Runs this firing's batch; a refusal or an unknown template is an outcome to log, not an error. */
    public Outcome run(@Header("scheduledFireTime") Date scheduledFireTime) throws SQLException {
        Instant firing = scheduledFireTime == null ? Instant.now() : scheduledFireTime.toInstant();
        ScaleoutBatch batch = ScaleoutBatch.of(actor, count, templates, "schedule:" + firing);
        try {
            ScaleoutReport report = runner.run(batch, composed -> { });
            metrics.scaleoutInstancesCreated(report.composed());
            return new Outcome(report.summary(), false);
        } catch (ScaleoutException e) {
            return new Outcome("scheduled scaleout batch " + batch.batchId() + " (" + batch.name() + "): "
                    + e.getMessage(), true);
        }
    }

    /** What to log: a summary, and whether the batch did not run. */
    public record Outcome(String summary, boolean problem) {
    }
}
