package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.api.ConsoleUsers;
import dev.iucore.pipeline.api.Role;
import dev.iucore.pipeline.config.Setting;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code iu-core console add-user}: the users of the operator API. */
@Command(name = "console", description = "Users of the operator HTTP API.",
        subcommands = {ConsoleCommand.AddUser.class})
final class ConsoleCommand {

    @Command(name = "add-user", description = {
        "Add a user of the operator API, or replace the one of that name, in the users file (0600).",
        "The password (one line on stdin) is kept as a PBKDF2 hash; --token prints a new bearer token once",
        "and keeps its SHA-256. Neither is ever stored in clear, nor written to the database."})
    static final class AddUser implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--name", required = true, description = "The user's name: the actor of what they do.")
        String name;

        @Option(names = "--role", required = true, description = "viewer (reads) or operator (also changes).")
        String role;

        @Option(names = "--password-stdin", description = "Read the password from the first line of stdin.")
        boolean passwordStdin;

        @Option(names = "--token", description = "Create a bearer token for the API and print it once.")
        boolean token;

        @Option(names = "--users-file", paramLabel = "<file>",
                description = "The users file; default: the setting iu.console.users-file.")
        Path usersFile;

        @Mixin
        JsonOption json;

        private final CommandContext context;

        AddUser(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws IOException {
            Path file = usersFile != null ? usersFile : context.settings().optional(Setting.CONSOLE_USERS_FILE)
                    .map(Path::of).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                            "name the users file: --users-file, or set " + Setting.CONSOLE_USERS_FILE.key()));
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--name `" + name
                        + "` must be letters, digits, '.', '_', '@' or '-' (at most 64)");
            }
            Role parsedRole;
            try {
                parsedRole = Role.of(role);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--role: " + e.getMessage());
            }
            if (!passwordStdin && !token) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "give the user a credential: --password-stdin, --token, or both");
            }
            char[] password = passwordStdin ? readPassword() : null;
            String newToken = token ? ConsoleUsers.newToken() : null;
            ConsoleUsers.loadOrEmpty(file).with(ConsoleUsers.newUser(name, parsedRole, password, newToken)).save(file);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("user", name);
            result.put("role", parsedRole.fileName());
            result.put("users_file", file.toString());
            result.put("password", password != null);
            if (newToken != null) {
                result.put("token", newToken);
            }
            if (json.enabled()) {
                Output.printJson(context.out(), result);
            } else {
                context.out().printf("user %s (%s) written to %s%n", name, parsedRole.fileName(), file);
                if (newToken != null) {
                    context.out().println("token (shown once, keep it secret): " + newToken);
                }
            }
            return ExitCode.OK;
        }

        private char[] readPassword() throws IOException {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.length() < 12) {
                throw CommandFailure.refused("the password on stdin must be at least 12 characters");
            }
            return line.toCharArray();
        }
    }
}
