package dev.iucore.pipeline.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local HTTP sink on 127.0.0.1 answering 200 to everything, on its own small thread pool; under
 * {@link #closingUrl()} it answers {@code Connection: close} and closes every connection, as
 * HTTP/1.0 receivers and many proxy front-ends do. It notes when each webhook first arrived (by its {@code webhook-id}), so a benchmark can tell the
 * moment a delivery reached its target apart from the moment the relay recorded it.
 */
final class BenchSink implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    /**
     * The receivers that take their time (one answering late, one stalling mid-body), on their own
     * server and threads: their waits hold none of the sink's, and as many requests wait at once as
     * the relays send (two processes' workers, not the sink's eight threads).
     */
    private final HttpServer waiting;
    private final ExecutorService waitingExecutor = Executors.newCachedThreadPool();
    private final Map<String, Instant> firstReceived = new ConcurrentHashMap<>();

    BenchSink() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        for (boolean closing : new boolean[] {false, true}) {
            server.createContext(closing ? "/close" : "/sink", exchange -> {
                arrived(exchange.getRequestHeaders().getFirst("webhook-id"));
                exchange.getRequestBody().readAllBytes();
                if (closing) {
                    exchange.getResponseHeaders().set("Connection", "close");
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
        }
        server.setExecutor(executor);
        server.start();
        waiting = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        waiting.createContext("/slow", exchange -> {
            arrived(exchange.getRequestHeaders().getFirst("webhook-id"));
            exchange.getRequestBody().readAllBytes();
            try {
                Thread.sleep(SLOW_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        waiting.createContext("/stall", exchange -> {
            exchange.getRequestBody().readAllBytes();
            // a status line, headers promising 100 bytes, ten of them, then nothing for a minute
            exchange.sendResponseHeaders(200, 100);
            exchange.getResponseBody().write(new byte[10]);
            exchange.getResponseBody().flush();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        waiting.setExecutor(waitingExecutor);
        waiting.start();
    }

    private void arrived(String webhookId) {
        Instant now = Instant.now();
        if (webhookId != null) {
            firstReceived.putIfAbsent(webhookId, now);
        }
    }

    /** How long {@link #slowUrl()} takes to answer. */
    static final long SLOW_MS = 20;

    /** The same sink, answering each request after {@value #SLOW_MS} ms. */
    String slowUrl() {
        return "http://127.0.0.1:" + waiting.getAddress().getPort() + "/slow";
    }

    /** A receiver that sends its headers and ten bytes of a 100-byte body, then stalls for a minute. */
    String stallingUrl() {
        return "http://127.0.0.1:" + waiting.getAddress().getPort() + "/stall";
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/sink";
    }

    /** The same sink, closing the connection after every response. */
    String closingUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/close";
    }

    /** A new measurement: nothing received yet. */
    void forget() {
        firstReceived.clear();
    }

    /** Distinct webhooks received so far. */
    long received() {
        return firstReceived.size();
    }

    /** From the {@code from}-th distinct webhook's arrival to the {@code to}-th's (1-based), once both came. */
    Duration between(int from, int to) {
        List<Instant> arrivals = firstReceived.values().stream().sorted().toList();
        return Duration.between(arrivals.get(from - 1), arrivals.get(to - 1));
    }

    /** When the webhook with this id first arrived; null if it never did. */
    Instant firstReceived(String webhookId) {
        return firstReceived.get(webhookId);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        waiting.stop(0);
        waitingExecutor.shutdownNow();
    }
}
