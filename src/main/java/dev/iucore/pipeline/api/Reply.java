package dev.iucore.pipeline.api;

/** A successful answer: its status and JSON text. Errors are {@link ApiProblem}s. */
record Reply(int status, String json) {

    static Reply ok(String json) {
        return new Reply(200, json);
    }

    static Reply of(Object value) {
        return new Reply(200, Json.write(value));
    }
}
