package dev.iucore.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.gates.Gate;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.io.PrintStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

class CommandCatalogTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @Test
    void theCatalogNamesExactlyTheCommandsTheCliRuns() {
        List<String> cli = new ArrayList<>();
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        collect(IuCoreCli.commandLine(new CommandContext(DB.db().settings(), nowhere, nowhere)), cli);

        List<String> catalog = DB.db().query("SELECT command_name FROM dot_iu_command_catalog").stream()
                .map(row -> (String) row.get("command_name")).toList();

        assertThat(cli).as("CLI commands").containsExactlyInAnyOrderElementsOf(catalog);
    }

    @Test
    void theCatalogNamesOnlyGatesThatExist() {
        List<String> named = DB.db().query("SELECT DISTINCT unnest(gates_needed) AS gate FROM dot_iu_command_catalog")
                .stream().map(row -> (String) row.get("gate")).toList();
        assertThat(named).isNotEmpty();
        assertThat(Arrays.stream(Gate.values()).map(Gate::sqlName)).containsAll(named);
    }

    @Test
    void commandsWithADryRunOptionAreCatalogedAsSupportingIt() {
        List<String> withDryRun = new ArrayList<>();
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        collectDryRun(IuCoreCli.commandLine(new CommandContext(DB.db().settings(), nowhere, nowhere)), withDryRun);
        List<String> catalog = DB.db().query("SELECT command_name FROM dot_iu_command_catalog WHERE dry_run_supported")
                .stream().map(row -> (String) row.get("command_name")).toList();
        assertThat(withDryRun).containsExactlyInAnyOrderElementsOf(catalog);
    }

    /** Every command a user can run: those with behaviour of their own, not pure groups. */
    private static void collect(CommandLine command, List<String> names) {
        Object user = command.getCommandSpec().userObject();
        if (user instanceof Callable || user instanceof Runnable) {
            names.add(AuditedExecution.catalogName(command.getCommandSpec()));
        }
        command.getSubcommands().values().stream()
                .filter(sub -> !sub.getCommandName().equals("help"))
                .forEach(sub -> collect(sub, names));
    }

    private static void collectDryRun(CommandLine command, List<String> names) {
        if (command.getCommandSpec().findOption("--dry-run") != null) {
            names.add(AuditedExecution.catalogName(command.getCommandSpec()));
        }
        command.getSubcommands().values().forEach(sub -> collectDryRun(sub, names));
    }
}
