package dev.iucore.pipeline.scaleout;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.verify.BatchEvidence;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.Header;

/**
 * The scheduled scaleout batch of {@code routes/scaleout.yaml}: its mix, count and actor come from
 * properties, and each scheduled firing is its own batch, named by its scheduled time, so a firing
 * that runs twice (a misfire recovered, a node taking over) composes its instances once. With no
 * template mix configured (the default) there is nothing to run. A firing that runs leaves the
 * same evidence as {@code scaleout --evidence} (a batch run with matrix snapshots before and after,
 * the rollback handle), since nobody watched it happen; one refused before it starts (gate closed,
 * unknown template) leaves only its log line.
 */
public final class ScheduledScaleout {

    private final ScaleoutRunner runner;
    private final BatchEvidence evidence;
    private final List<TemplateVersion> templates;
    private final int count;
    private final String actor;
    private final PipelineMetrics metrics;

    /** Checks the properties when the service starts, not when the schedule first fires. */
    public ScheduledScaleout(DataSource dataSource, BatchEvidence evidence, String templates, int count, String actor,
                             PipelineMetrics metrics) {
        this.runner = new ScaleoutRunner(dataSource);
        this.evidence = evidence;
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
    public Outcome run(@Header("scheduledFireTime") Date scheduledFireTime) throws SQLException, IOException {
        Instant firing = scheduledFireTime == null ? Instant.now() : scheduledFireTime.toInstant();
        ScaleoutBatch batch = ScaleoutBatch.of(actor, count, templates, "schedule:" + firing);
        try {
            runner.check(batch, false);
        } catch (ScaleoutException e) {
            return new Outcome(describe(batch, e), true);
        }
        BatchEvidence.Run run = evidence.start("scaleout", actor, arguments(batch), false, actor);
        try {
            ScaleoutReport report = runner.run(batch, evidence.counter(run, "instances", batch.count()));
            metrics.scaleoutInstancesCreated(report.composed());
            evidence.finish(run, "ok", report.summary(), report.evidenceSummary());
            return new Outcome(report.summary() + "; evidence: run " + run.runId(), false);
        } catch (ScaleoutException e) {
            evidence.finish(run, e.isRefused() ? "refused" : "failed", e.getMessage(),
                    Map.of("batch_id", batch.batchId().toString()));
            return new Outcome(describe(batch, e) + "; evidence: run " + run.runId(), true);
        } catch (SQLException | RuntimeException e) {
            evidence.finish(run, "failed", String.valueOf(e.getMessage()), Map.of("batch_id", batch.batchId().toString()));
            throw e;
        }
    }

    private static String describe(ScaleoutBatch batch, ScaleoutException e) {
        return "scheduled scaleout batch " + batch.batchId() + " (" + batch.name() + "): " + e.getMessage();
    }

    private static Map<String, Object> arguments(ScaleoutBatch batch) {
        Map<String, Object> arguments = batch.arguments();
        arguments.put("scheduled", true);
        return arguments;
    }

    /** What to log: a summary, and whether the batch did not run. */
    public record Outcome(String summary, boolean problem) {
    }
}
