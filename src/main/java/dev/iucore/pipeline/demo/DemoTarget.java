package dev.iucore.pipeline.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local webhook receiver of {@code demo run}, on 127.0.0.1: {@code /crm} accepts,
 * {@code /flaky} answers 503 to the first try of each webhook-id and accepts the retry,
 * {@code /strict} rejects with 400.
 */
final class DemoTarget implements AutoCloseable {

    private final HttpServer server;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    DemoTarget() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/crm", exchange -> answer(exchange, 200, "ok"));
        server.createContext("/flaky", exchange -> {
            boolean first = seen.add(exchange.getRequestHeaders().getFirst("webhook-id"));
            answer(exchange, first ? 503 : 200, first ? "busy, try again" : "ok");
        });
        server.createContext("/strict", exchange -> answer(exchange, 400, "payload rejected: missing field 'reason'"));
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        exchange.getRequestBody().readAllBytes();
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
