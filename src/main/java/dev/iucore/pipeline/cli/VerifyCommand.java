package dev.iucore.pipeline.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code iu-core verify boundary|conformance|health}. */
@Command(name = "verify", description = "Checks that hold or do not: exit 0 holds, 1 does not.",
        subcommands = {VerifyCommand.Boundary.class, VerifyCommand.Conformance.class, VerifyCommand.Health.class})
final class VerifyCommand {

    @Command(name = "boundary", description = "Prove an event type is internal only: three layers and a rolled-back probe.")
    static final class Boundary extends NotYetImplemented {
        @Parameters(paramLabel = "<event-type>")
        String eventType;

        @Mixin
        JsonOption json;

        Boundary() {
            super(5);
        }
    }

    @Command(name = "conformance", description = "Compare the live schema with the expected manifest, per category.")
    static final class Conformance extends NotYetImplemented {
        @Mixin
        JsonOption json;

        Conformance() {
            super(5);
        }
    }

    @Command(name = "health", description = "Backlog, oldest pending age, stuck leases, retries, dead letters, table health.")
    static final class Health extends NotYetImplemented {
        @Mixin
        JsonOption json;

        Health() {
            super(5);
        }
    }
}
