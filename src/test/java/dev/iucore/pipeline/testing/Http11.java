package dev.iucore.pipeline.testing;

import java.net.http.HttpClient;

/**
 * The JDK client speaking HTTP/1.1, as Prometheus, curl and a browser on plain HTTP do. By default
 * it offers each plain request an upgrade to HTTP/2 (h2c), and once read the management server's
 * HTTP/1.1 answer as HTTP/2 frames ("Frame type(46) … exceeds MAX_FRAME_SIZE", CI 2026-12-05).
 */
public final class Http11 {

    private Http11() {
    }

    public static HttpClient.Builder builder() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
    }

    public static HttpClient client() {
        return builder().build();
    }
}
