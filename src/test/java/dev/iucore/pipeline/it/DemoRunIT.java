package dev.iucore.pipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.testing.LeftoverPostgres;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar runs the whole relay: every Camel component the YAML routes name must be in
 * the jar itself (the test classpath brings more through camel-test and would hide a gap).
 */
class DemoRunIT {

    @TempDir
    Path dataDir;

    /** A demo that did not finish was killed: its embedded PostgreSQL must not outlive the test. */
    @AfterEach
    void nothingLeftRunning() {
        LeftoverPostgres.stop(dataDir);
    }

    @Test
    void theJarRunsTheDemoOnItsEmbeddedDatabaseToTheEnd() throws Exception {
        JarProcess.Result demo = JarProcess.run(Map.of("IU_DATA_DIR", dataDir.toString()), "demo", "run", "--exit");
        assertThat(demo.exitCode()).as(demo.output()).isZero();
        assertThat(demo.output())
                .contains("demo-crm: delivered after 1 attempt(s)")
                .contains("demo-flaky: delivered after 2 attempt(s)")
                .contains("demo-strict: dead after 1 attempt(s)")
                .contains("iu.template.instance_auto_composed   held")
                .contains("every demo event has settled.");

        JarProcess.Result letters = JarProcess.run(Map.of("IU_DATA_DIR", dataDir.toString()),
                "dead-letters", "list", "--json");
        assertThat(letters.exitCode()).as(letters.output()).isZero();
        assertThat(letters.output()).contains("permanent_failure").contains("unregistered_type");
    }
}
