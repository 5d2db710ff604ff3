package dev.iucore.pipeline.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * The first bytes of a response's body: of an error, an excerpt with control characters and runs of
 * blanks as one space; of a success, only whether it ended. Either costs a bounded amount of memory
 * and time, and a body that never ends does not hold the try (the try's deadline covers one that
 * trickles below the limit). The caller drops the connection with the rest of the body.
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

    /** Reads and discards at most {@code limit} bytes of the entity's content: whether it ended within them. */
    static boolean skip(HttpEntity entity, int limit) throws IOException {
        if (entity == null) {
            return true;
        }
        long declared = entity.getContentLength();
        if (declared >= 0 && declared <= limit) {
            // the common case, a short declared body: read as before, with no buffer of ours
            EntityUtils.consume(entity);
            return true;
        }
        InputStream content = entity.getContent();
        byte[] buffer = new byte[8192];
        for (int size = 0, n; (n = content.read(buffer, 0, Math.min(buffer.length, limit + 1 - size))) > 0; ) {
            size += n;
            if (size > limit) {
                return false;
            }
        }
        return true;
    }
}
