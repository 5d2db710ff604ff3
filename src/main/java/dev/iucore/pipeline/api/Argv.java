package dev.iucore.pipeline.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A command line for {@link CommandRunner}, built from checked request fields: options always as
 * {@code --name=value} (a value that starts with a dash stays a value) and positionals after
 * {@code --} (an id or name is never read as an option).
 */
final class Argv {

    private final List<String> command;
    private final List<String> options = new ArrayList<>();
    private final List<String> positionals = new ArrayList<>();

    private Argv(List<String> command) {
        this.command = command;
    }

    static Argv of(String... command) {
        return new Argv(List.of(command));
    }

    Argv option(String name, Object value) {
        if (value != null) {
            options.add(name + "=" + value);
        }
        return this;
    }

    Argv flag(String name, boolean on) {
        if (on) {
            options.add(name);
        }
        return this;
    }

    Argv positional(Object value) {
        if (value != null) {
            positionals.add(String.valueOf(value));
        }
        return this;
    }

    Argv positionals(Collection<?> values) {
        values.forEach(this::positional);
        return this;
    }

    /** The arguments, with {@code --json}: the API answers with the command's JSON document. */
    List<String> build() {
        List<String> argv = new ArrayList<>(command);
        argv.addAll(options);
        argv.add("--json");
        if (!positionals.isEmpty()) {
            argv.add("--");
            argv.addAll(positionals);
        }
        return argv;
    }
}
