package dev.iucore.pipeline.cli;

import picocli.CommandLine.Option;

/** {@code --json}: machine output on stdout instead of a table. */
public final class JsonOption {
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean enabled;

    public boolean enabled() {
        return enabled;
    }
}
