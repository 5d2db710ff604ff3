package dev.iucore.pipeline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Prometheus text format read by a real parser: the reference client's own
 * ({@code prometheus_client.parser} of Python's prometheus_client), run as a subprocess, so a
 * scrape that parses here parses in Prometheus. The client is imported as installed, else from its
 * wheel under {@code /opt/pypi/files} (a pure-Python wheel imports from the zip as it is). Without
 * either the test fails, saying what to install: a format check that silently passes checks nothing.
 */
public final class PrometheusText {

    private static final Path WHEELS = Path.of("/opt/pypi/files");
    private static final String DEBIAN_PYTHON = "/usr/bin/python3";
    private static final ObjectMapper JSON = new ObjectMapper();
    // every sample of every family, as JSON lines; any line the parser rejects fails the run
    private static final String PARSE = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    print(json.dumps({"family": family.name, "type": family.type, "name": s.name,
                                      "labels": s.labels, "value": repr(float(s.value))}))
            """;

    private static Python python;

    private PrometheusText() {
    }

    /** The interpreter itself (not a launcher shim, which costs half a second a call) and its PYTHONPATH. */
    private record Python(String executable, Optional<String> path) {
    }

    /** One sample: metric name, labels and value as the parser read them. */
    public record Sample(String family, String type, String name, Map<String, String> labels, double value) {
    }

    /** Parses the whole text; throws with the parser's message when any of it is not valid. */
    public static List<Sample> parse(String text) throws IOException, InterruptedException {
        Python found = python();
        ProcessBuilder builder = new ProcessBuilder(found.executable(), "-c", PARSE);
        found.path().ifPresent(path -> builder.environment().put("PYTHONPATH", path));
        Process process = builder.start();
        try (var in = process.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("the Prometheus text format parser rejected the scrape: " + err);
        }
        List<Sample> samples = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = JSON.readTree(line);
            Map<String, String> labels = new LinkedHashMap<>();
            n.get("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            samples.add(new Sample(n.get("family").asText(), n.get("type").asText(), n.get("name").asText(), labels,
                    number(n.get("value").asText())));
        }
        return samples;
    }

    private static double number(String repr) {
        return switch (repr) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(repr);
        };
    }

    private static synchronized Python python() throws IOException, InterruptedException {
        if (python == null) {
            SystemTools.ensure();
            String executable = run(null, "import sys; print(sys.executable)");
            if (executable == null) {
                throw new IllegalStateException("the metrics format check needs python3 on the PATH");
            }
            if (run(executable, "import prometheus_client") != null) {
                python = new Python(executable, Optional.empty());
            } else if (Files.isExecutable(Path.of(DEBIAN_PYTHON)) && run(DEBIAN_PYTHON, "import prometheus_client") != null) {
                // Debian's python3-prometheus-client (what SystemTools installs when missing)
                python = new Python(DEBIAN_PYTHON, Optional.empty());
            } else {
                python = new Python(executable, Optional.of(wheel()));
            }
        }
        return python;
    }

    /** What the snippet prints, or null when it fails. */
    private static String run(String executable, String snippet) throws IOException, InterruptedException {
        Process probe = new ProcessBuilder(executable == null ? "python3" : executable, "-c", snippet)
                .redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0 ? out : null;
    }

    /** prometheus_client's wheel, to import from as it is. */
    private static String wheel() throws IOException {
        if (Files.isDirectory(WHEELS)) {
            try (Stream<Path> wheels = Files.list(WHEELS)) {
                Optional<Path> wheel = wheels.filter(p -> p.getFileName().toString().startsWith("prometheus_client-")
                        && p.getFileName().toString().endsWith(".whl")).max(Comparator.naturalOrder());
                if (wheel.isPresent()) {
                    return wheel.get().toString();
                }
            }
        }
        throw new IllegalStateException("the metrics format check needs Python 3 with prometheus_client"
                + " (pip install prometheus_client, or Debian's python3-prometheus-client), or its wheel in " + WHEELS);
    }
}
