package dev.iucore.pipeline.api;

/**
 * A successful answer: its status, JSON text and, for a thing that goes on after the answer (a
 * batch run, 202), where to follow it. Errors are {@link ApiProblem}s.
 */
record Reply(int status, String json, String location) {

    static Reply ok(String json) {
        return new Reply(200, json, null);
    }

    static Reply of(Object value) {
        return new Reply(200, Json.write(value), null);
    }

    static Reply accepted(String location, Object value) {
        return new Reply(202, Json.write(value), location);
    }
}
