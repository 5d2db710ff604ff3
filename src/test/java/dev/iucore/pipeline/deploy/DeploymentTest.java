package dev.iucore.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.SystemTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The files of {@code deploy/}: the units carry what a long-running service needs, systemd itself
 * accepts them, the environment example documents every variable, the alert rules use our metrics.
 */
class DeploymentTest {

    private static final Path SYSTEMD = Path.of("deploy", "systemd");
    private static final Path SERVICE = SYSTEMD.resolve("iu-core.service");
    private static final Path TEMPLATE = SYSTEMD.resolve("iu-core@.service");
    /** The units run the distribution without the embedded database unless the environment file names another. */
    private static final String EXTERNAL_DB_JAR = "IU_JAR=/opt/iu-core/iu-core-pipeline-external-db.jar";
    private static final Path RETENTION = SYSTEMD.resolve("iu-core-retention.service");
    private static final Path TIMER = SYSTEMD.resolve("iu-core-retention.timer");
    private static final Path ENV_EXAMPLE = Path.of("deploy", "iu-core.env.example");
    private static final Path ALERTS = Path.of("deploy", "prometheus", "iu-core-alerts.yml");

    /** A unit file as systemd reads it: section, then each key's values in order. */
    private static Map<String, Map<String, List<String>>> unit(Path file) throws IOException {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> section = null;
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                section = sections.computeIfAbsent(line.substring(1, line.indexOf(']')), k -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            assertThat(eq).as("%s: %s is key=value", file, line).isPositive();
            assertThat(section).as("%s: %s is inside a section", file, line).isNotNull();
            section.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>()).add(line.substring(eq + 1).strip());
        }
        return sections;
    }

    private static String value(Map<String, Map<String, List<String>>> unit, String section, String key) {
        List<String> values = unit.getOrDefault(section, Map.of()).get(key);
        assertThat(values).as("[%s] %s", section, key).isNotNull();
        return values.get(values.size() - 1);
    }

    private static long seconds(String span) {
        Matcher m = Pattern.compile("(\\d+)(s|min)?").matcher(span);
        assertThat(m.matches()).as("a time span in seconds or minutes: %s", span).isTrue();
        return Long.parseLong(m.group(1)) * ("min".equals(m.group(2)) ? 60 : 1);
    }

    private static void assertHardened(Map<String, Map<String, List<String>>> unit) {
        assertThat(value(unit, "Service", "User")).isEqualTo("iu-core");
        assertThat(unit.get("Service").get("EnvironmentFile").get(0)).isEqualTo("/etc/iu-core/iu-core.env");
        assertThat(unit.get("Service").get("Environment")).contains(EXTERNAL_DB_JAR);
        assertThat(value(unit, "Service", "NoNewPrivileges")).isEqualTo("true");
        assertThat(value(unit, "Service", "ProtectSystem")).isEqualTo("strict");
        assertThat(value(unit, "Service", "PrivateTmp")).isEqualTo("true");
        assertThat(value(unit, "Service", "ReadWritePaths")).isEqualTo("/var/lib/iu-core");
        assertThat(value(unit, "Service", "CapabilityBoundingSet")).isEmpty();
        // the JVM's temporary files inside the writable data dir, as the CLI wrapper has them
        assertThat(value(unit, "Service", "ExecStart")).contains("-Djava.io.tmpdir=/var/lib/iu-core/tmp");
        assertThat(value(unit, "Service", "StateDirectory").split(" ")).contains("iu-core/tmp");
    }

    @Test
    void theServiceRunsAsItsOwnUserHardenedRestartsOnFailureAndStopsAfterCamelsGracefulShutdown() throws Exception {
        Map<String, Map<String, List<String>>> service = unit(SERVICE);
        assertHardened(service);
        assertThat(value(service, "Service", "ExecStart")).endsWith("-jar ${IU_JAR} run");
        assertThat(value(service, "Service", "Restart")).isEqualTo("on-failure");
        assertThat(value(service, "Service", "KillSignal")).isEqualTo("SIGTERM");
        Properties camel = new Properties();
        try (var in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            camel.load(in);
        }
        long shutdownTimeout = Long.parseLong(camel.getProperty("camel.main.shutdown-timeout").strip());
        assertThat(seconds(value(service, "Service", "TimeoutStopSec")))
                .as("systemd waits for Camel's graceful shutdown and the embedded database's stop")
                .isGreaterThan(shutdownTimeout + 30);
        assertThat(value(service, "Install", "WantedBy")).isEqualTo("multi-user.target");
    }

    /**
     * The service's heap is the unit's, not the JVM's share of the host (1/64 of its memory to start
     * with, all of it cycled through by the young generation); the environment file may resize it, and
     * the benchmarks start the service with the same options.
     */
    @Test
    void theServiceStartsOnASmallHeapThatTheEnvironmentFileMayResize() throws Exception {
        Map<String, Map<String, List<String>>> service = unit(SERVICE);
        assertThat(service.get("Service").get("Environment")).contains("\"IU_JAVA_HEAP=-Xms64m -Xmx1g\"");
        String execStart = value(service, "Service", "ExecStart");
        assertThat(execStart).contains(" $IU_JAVA_HEAP ");
        assertThat(execStart.indexOf("$IU_JAVA_HEAP")).as("JVM options go before -jar").isLessThan(execStart.indexOf(" -jar "));
        assertThat(service.get("Service").get("EnvironmentFile"))
                .as("an environment file's variables override Environment= (systemd.exec)").isNotEmpty();
        assertThat(Files.readString(ENV_EXAMPLE)).contains("#IU_JAVA_HEAP=\"-Xms64m -Xmx1g\"");
    }

    /**
     * N nodes on one host: the template is the service with one more environment file per instance,
     * read last so its port and node id win, and the example instance files give distinct ones.
     */
    @Test
    void theTemplateUnitIsTheServiceWithAPerInstanceEnvironmentFileReadLast() throws Exception {
        Map<String, Map<String, List<String>>> template = unit(TEMPLATE);
        Map<String, Map<String, List<String>>> service = unit(SERVICE);
        assertHardened(template);
        assertThat(template.get("Service").get("EnvironmentFile"))
                .containsExactly("/etc/iu-core/iu-core.env", "/etc/iu-core/instances/%i.env");
        Map<String, List<String>> rest = new LinkedHashMap<>(template.get("Service"));
        rest.remove("EnvironmentFile");
        Map<String, List<String>> serviceRest = new LinkedHashMap<>(service.get("Service"));
        serviceRest.remove("EnvironmentFile");
        assertThat(rest).as("otherwise the same [Service] as iu-core.service").isEqualTo(serviceRest);
        assertThat(template.get("Install")).isEqualTo(service.get("Install"));
        assertThat(value(template, "Unit", "Description")).contains("%i");

        String runbook = Files.readString(Path.of("deploy", "RUNBOOK.md"));
        Matcher instance = Pattern.compile("(?s)instances/(\\d+)\\.env <<'ENV'\n(.*?)\nENV\n").matcher(runbook);
        List<String> ports = new ArrayList<>();
        List<String> nodes = new ArrayList<>();
        while (instance.find()) {
            Properties env = new Properties();
            env.load(new java.io.StringReader(instance.group(2)));
            ports.add(env.getProperty("CAMEL_MANAGEMENT_PORT"));
            nodes.add(env.getProperty("IU_NODE_ID"));
        }
        assertThat(ports).as("RUNBOOK.md writes two instance files").hasSize(2).doesNotContainNull().doesNotHaveDuplicates();
        assertThat(nodes).hasSize(2).doesNotContainNull().doesNotHaveDuplicates();
    }

    @Test
    void theRetentionTimerStartsAOneShotDryRunOnACalendarAndCatchesUpMissedRuns() throws Exception {
        Map<String, Map<String, List<String>>> retention = unit(RETENTION);
        assertHardened(retention);
        assertThat(value(retention, "Service", "Type")).isEqualTo("oneshot");
        assertThat(value(retention, "Service", "ExecStart")).contains("-jar ${IU_JAR} retention --dry-run --actor ")
                .doesNotContain("--apply");
        Map<String, Map<String, List<String>>> timer = unit(TIMER);
        assertThat(value(timer, "Timer", "OnCalendar")).isNotBlank();
        assertThat(value(timer, "Timer", "Persistent")).isEqualTo("true");
        assertThat(value(timer, "Timer", "Unit")).isEqualTo("iu-core-retention.service");
        assertThat(value(timer, "Install", "WantedBy")).isEqualTo("timers.target");
    }

    /** Applying is the operator's drop-in from the runbook: the shipped command, --dry-run swapped for --apply. */
    @Test
    void theRunbooksApplyDropInRunsTheShippedCommandWithApplyInsteadOfDryRun() throws Exception {
        String runbook = Files.readString(Path.of("deploy", "RUNBOOK.md"));
        Matcher dropIn = Pattern.compile("(?s)apply\\.conf <<'UNIT'\n(.*?)\nUNIT\n").matcher(runbook);
        assertThat(dropIn.find()).as("RUNBOOK.md has the apply drop-in").isTrue();
        Path file = Files.createTempFile("apply", ".conf");
        try {
            Files.writeString(file, dropIn.group(1));
            List<String> execStart = unit(file).get("Service").get("ExecStart");
            assertThat(execStart).as("the drop-in clears the shipped ExecStart, then sets its own").hasSize(2);
            assertThat(execStart.get(0)).isEmpty();
            assertThat(execStart.get(1)).isEqualTo(value(unit(RETENTION), "Service", "ExecStart")
                    .replace("retention --dry-run ", "retention --apply "));
        } finally {
            Files.delete(file);
        }
    }

    /**
     * systemd's own reading of the units; it prints each problem (also the ones it ignores).
     * {@code systemd-analyze} is installed like the other test tools where it is missing.
     */
    @Test
    void systemdAnalyzeVerifiesTheUnitFiles() throws Exception {
        SystemTools.ensure();
        Process verify;
        try {
            verify = new ProcessBuilder("systemd-analyze", "verify", "--man=no", SERVICE.toString(), TEMPLATE.toString(),
                    RETENTION.toString(), TIMER.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("systemd-analyze is not installed, so the unit files cannot be verified:"
                    + " install systemd (Debian: apt-get install systemd) on the build machine", e);
        }
        String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output).as("systemd-analyze verify output").isEmpty();
        assertThat(verify.exitValue()).isZero();
    }

    @Test
    void theEnvironmentExampleDocumentsEverySettingWithItsDefaultAndTheCamelVariables() throws Exception {
        String example = Files.readString(ENV_EXAMPLE);
        for (Setting setting : Setting.values()) {
            Matcher line = Pattern.compile("(?m)^(#?)" + setting.envName() + "=(.*)$").matcher(example);
            assertThat(line.find()).as("%s in %s", setting.envName(), ENV_EXAMPLE).isTrue();
            if (line.group(1).equals("#")) {
                assertThat(line.group(2).replace("\"", "")).as("the default of %s", setting.envName())
                        .isEqualTo(setting.defaultValue());
            }
        }
        for (String camel : List.of("CAMEL_MAIN_NAME", "CAMEL_MAIN_SHUTDOWN_TIMEOUT", "CAMEL_MANAGEMENT_HOST",
                "CAMEL_MANAGEMENT_PORT")) {
            assertThat(example).containsPattern("(?m)^#?" + camel + "=");
        }
    }

    @Test
    void theCliWrapperIsValidShell() throws Exception {
        Process check = new ProcessBuilder("sh", "-n", "deploy/bin/iu-core").redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(output).isZero();
        assertThat(Files.isExecutable(Path.of("deploy/bin/iu-core"))).isTrue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertRuleHasANameAnExpressionAndASeverityAndUsesDocumentedMetrics() throws Exception {
        Map<String, Object> rules = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(ALERTS));
        String readme = Files.readString(Path.of("README.md"));
        String runbook = Files.readString(Path.of("deploy", "RUNBOOK.md"));
        List<Map<String, Object>> groups = (List<Map<String, Object>>) rules.get("groups");
        List<Map<String, Object>> all = groups.stream()
                .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream()).toList();
        assertThat(all).isNotEmpty();
        for (Map<String, Object> rule : all) {
            String name = (String) rule.get("alert");
            assertThat(name).isNotBlank();
            assertThat((String) rule.get("expr")).isNotBlank();
            assertThat(((Map<String, Object>) rule.get("labels")).get("severity")).isNotNull();
            assertThat(runbook).as("RUNBOOK explains %s", name).contains("| `" + name + "` |");
            Matcher metric = Pattern.compile("\\biu_[a-z_]+").matcher((String) rule.get("expr"));
            while (metric.find()) {
                String documented = metric.group().replaceFirst("_(bucket|count|sum|max)$", "");
                assertThat(readme).as("README documents %s", documented).contains("`" + documented + "`");
            }
        }
    }
}
