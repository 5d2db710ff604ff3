package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.junit.jupiter.api.Test;

class BodyHeadTest {

    @Test
    void aBodyOfTheLimitEndsWithinItAndOneByteMoreDoesNot() throws Exception {
        assertThat(BodyHead.skip(body(1000), 1000)).isTrue();
        assertThat(BodyHead.skip(body(1001), 1000)).isFalse();
        assertThat(BodyHead.skip(body(100_000), 20_000)).isFalse();
        assertThat(BodyHead.skip(body(0), 1000)).isTrue();
        assertThat(BodyHead.skip(null, 1000)).as("no entity at all: a 204").isTrue();
        // chunked, or ending with the connection: no length declared, the bytes are counted
        assertThat(BodyHead.skip(undeclared(1000), 1000)).isTrue();
        assertThat(BodyHead.skip(undeclared(1001), 1000)).isFalse();
    }

    @Test
    void anErrorExcerptIsCutToTheLimitWithControlCharactersAsOneSpace() throws Exception {
        ByteArrayEntity entity = new ByteArrayEntity("over\u001b[31m\r\n\tload and more".getBytes(), ContentType.TEXT_PLAIN);
        assertThat(BodyHead.read(entity, 16)).isEqualTo("over [31m load");
    }

    private static InputStreamEntity undeclared(int size) {
        return new InputStreamEntity(new ByteArrayInputStream(new byte[size]), -1, ContentType.APPLICATION_OCTET_STREAM);
    }

    private static ByteArrayEntity body(int size) {
        return new ByteArrayEntity(new byte[size], ContentType.APPLICATION_OCTET_STREAM);
    }
}
