package dev.iucore.pipeline.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hc.core5.http.HttpEntity;

/**
 * The first bytes of an error response's body, with control characters and runs of blanks as one
 * space: an excerpt costs a bounded amount of memory, and a body that never ends does not hold the
 * try (the try's deadline covers one that trickles below the limit). The caller drops the
 * connection with the rest of the body.
 */
final class BodyHead {

    private BodyHead() {
    }

    /** At most {@code limit} bytes of the entity's content; empty when the response has none. */
    static String read(HttpEntity entity, int limit) throws IOException {
        if (entity == null) {
            return "";
        }
        byte[] head = new byte[limit];
        int size = 0;
        // not closed here: closing it would read the rest of the body, however long
        InputStream content = entity.getContent();
        for (int n; size < limit && (n = content.read(head, size, limit - size)) > 0; ) {
            size += n;
        }
        // control characters (terminal escapes, NULs) never reach a table, a log or an operator's screen
        return new String(head, 0, size, StandardCharsets.UTF_8).replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
    }
}
