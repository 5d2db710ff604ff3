package dev.iucore.pipeline.api;

/** The authenticated user of one request: the actor every command it runs records. */
public record Caller(String name, Role role) {
}
