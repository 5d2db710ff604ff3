package dev.iucore.pipeline.api;

import java.util.Locale;

/** What a user of the operator API may do: a viewer reads, an operator also changes. */
public enum Role {
    VIEWER, OPERATOR;

    public boolean mayChange() {
        return this == OPERATOR;
    }

    public String fileName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role of(String name) {
        for (Role role : values()) {
            if (role.fileName().equals(name)) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role `" + name + "`: viewer or operator");
    }
}
