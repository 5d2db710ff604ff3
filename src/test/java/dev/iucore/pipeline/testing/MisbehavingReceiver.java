package dev.iucore.pipeline.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A webhook receiver on 127.0.0.1 written on a raw socket, so it can misbehave in the ways a real
 * one does: down (nothing listens on its port), slow, resetting connections, sending its headers
 * and then stalling or trickling the body, answering HTTP/1.0 with {@code Connection: close}, or
 * refusing a request before reading its body. It never sends {@code 100 Continue}. Its behaviour
 * is switched while the relay runs; every request it read is logged with its {@code webhook-id},
 * {@code iu-attempt}, arrival time, the behaviour that met it and whether it asked for {@code 100 Continue}.
 */
public final class MisbehavingReceiver implements AutoCloseable {

    /** How the receiver meets the next requests. */
    public enum Behaviour {
        /** 200 at once, the connection kept alive. */
        OK,
        /** Nothing listens on the port: connection refused. */
        DOWN,
        /** 200, after {@link #delay}. */
        SLOW,
        /** 200 once {@link #release()} is called: a try kept in flight as long as a test needs. */
        HOLD,
        /** 503, after {@link #delay}. */
        FAIL,
        /** The request is read, then the connection is reset (RST), no response. */
        RESET,
        /** 503 headers and a few bytes of a longer body, then nothing until {@link #delay} has passed. */
        STALL_BODY,
        /** 503 headers, then the body one byte every 200 ms until {@link #delay} has passed. */
        TRICKLE_BODY,
        /** The same with 200: the receiver took the event, but the try cannot know it has until the body ends. */
        TRICKLE_OK_BODY,
        /** 503 and an endless chunked body, as fast as the connection takes it, until {@link #delay} has passed. */
        ENDLESS_ERROR_BODY,
        /** 200 and an endless chunked body, as fast as the connection takes it, until {@link #delay} has passed. */
        ENDLESS_OK_BODY,
        /** 200 declaring 100 bytes of body, 7 of them sent, then the connection closed: a receiver that dies after its answer. */
        TRUNCATED_OK_BODY,
        /**
         * 200 with the connection kept alive, which the receiver closes once idle for {@link #delay},
         * saying nothing: a Node.js server (5 s by default), or a load balancer's idle timeout.
         */
        IDLE_CLOSE,
        /** {@code HTTP/1.0 200} with {@code Connection: close}, then the connection is closed. */
        HTTP10_CLOSE,
        /** {@code HTTP/1.0 200} with neither a length nor {@code Connection: close}: its body ends when the connection does (Python's http.server). */
        HTTP10_UNTIL_CLOSE,
        /**
         * 413 as soon as the headers are read, the body never read, then the connection closed: a
         * receiver whose body limit answers first. A client still sending meets a reset.
         */
        REJECT_EARLY,
        /**
         * 417 to a request that asks for {@code 100 Continue}, its body unread, then the connection
         * closed; 200 to one that does not: an old server or proxy that knows no expectations.
         */
        EXPECTATION_FAILED;

        /** Whether the request's body is read before the answer; never a {@code 100 Continue}, as many servers. */
        boolean readsBody(boolean expectContinue) {
            return this != REJECT_EARLY && !(this == EXPECTATION_FAILED && expectContinue);
        }
    }

    /** One request as the receiver read it; whether it asked to be told to go on before its body ({@code Expect: 100-continue}). */
    public record Received(String webhookId, int attempt, Instant at, Behaviour behaviour, boolean expectContinue) {
    }

    private final int port;
    private final ExecutorService connections = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "misbehaving-receiver");
        t.setDaemon(true);
        return t;
    });
    private final List<Received> log = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    /** Counted down at close: stalled and slow answers end then at the latest. */
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile ServerSocket listener;
    private volatile Behaviour behaviour = Behaviour.OK;
    private volatile Duration delay = Duration.ZERO;
    private volatile CountDownLatch held = new CountDownLatch(0);

    private MisbehavingReceiver(ServerSocket listener) {
        this.listener = listener;
        this.port = listener.getLocalPort();
        connections.execute(() -> accept(listener));
    }

    /** Listening on a port the system picks, answering {@link Behaviour#OK}. */
    public static MisbehavingReceiver start() {
        return new MisbehavingReceiver(bind(0));
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** From the next request on (and, for DOWN, from now on: the listening socket closes). */
    public synchronized MisbehavingReceiver behave(Behaviour next, Duration delay) {
        this.delay = delay;
        if (next == Behaviour.HOLD) {
            held = new CountDownLatch(1);
        }
        this.behaviour = next;
        if (next == Behaviour.DOWN && listener != null) {
            closeQuietly(listener);
            listener = null;
            open.forEach(MisbehavingReceiver::closeQuietly);
        } else if (next != Behaviour.DOWN && listener == null) {
            // the same port again, so the route's target stays right
            ServerSocket again = bind(port);
            listener = again;
            connections.execute(() -> accept(again));
        }
        return this;
    }

    public MisbehavingReceiver behave(Behaviour next) {
        return behave(next, Duration.ZERO);
    }

    /** Answers every request held so far (HOLD). */
    public void release() {
        held.countDown();
    }

    /** Connections open now: 0 once a killed client's every request has been read and logged. */
    public int openConnections() {
        return open.size();
    }

    public List<Received> received() {
        return List.copyOf(log);
    }

    private static ServerSocket bind(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                open.add(connection);
                connections.execute(() -> serve(connection));
            } catch (IOException e) {
                return; // closed: DOWN, or the end
            }
        }
    }

    /** Requests on one connection, one after the other, until a behaviour ends it or the client does. */
    private void serve(Socket connection) {
        try (connection) {
            InputStream in = connection.getInputStream();
            OutputStream out = connection.getOutputStream();
            while (true) {
                Map<String, String> headers = readHead(in);
                if (headers == null) {
                    return;
                }
                Behaviour now = behaviour;
                CountDownLatch release = held;
                boolean expectContinue = "100-continue".equalsIgnoreCase(headers.get("expect"));
                log.add(new Received(headers.get("webhook-id"), Integer.parseInt(headers.getOrDefault("iu-attempt", "0")),
                        Instant.now(), now, expectContinue));
                if (now.readsBody(expectContinue)) {
                    // a client that asked for 100 Continue sends its body after a wait
                    in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
                }
                if (!answer(now, expectContinue, release, connection, out)) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away, or the receiver closes
        } finally {
            open.remove(connection);
        }
    }

    /** @return whether the connection stays open for another request */
    private boolean answer(Behaviour now, boolean expectContinue, CountDownLatch release, Socket connection, OutputStream out)
            throws IOException, InterruptedException {
        switch (now) {
            case OK, DOWN -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            case SLOW -> {
                if (closing.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                    return false;
                }
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            }
            case HOLD -> {
                while (!release.await(100, TimeUnit.MILLISECONDS)) {
                    if (closing.getCount() == 0) {
                        return false;
                    }
                }
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            }
            case FAIL -> {
                if (closing.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                    return false;
                }
                write(out, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
            }
            case RESET -> {
                connection.setSoLinger(true, 0);
                return false;
            }
            case STALL_BODY -> {
                write(out, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nstalled");
                closing.await(delay.toMillis(), TimeUnit.MILLISECONDS);
                return false;
            }
            case TRICKLE_BODY, TRICKLE_OK_BODY -> {
                String status = now == Behaviour.TRICKLE_OK_BODY ? "200 OK" : "503 Service Unavailable";
                write(out, "HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n");
                long end = System.nanoTime() + delay.toNanos();
                while (System.nanoTime() < end && !closing.await(200, TimeUnit.MILLISECONDS)) {
                    write(out, ".");
                }
                return false;
            }
            case ENDLESS_ERROR_BODY -> {
                writeEndlessBody(out, "503 Service Unavailable");
                return false;
            }
            case ENDLESS_OK_BODY -> {
                writeEndlessBody(out, "200 OK");
                return false;
            }
            case TRUNCATED_OK_BODY -> {
                write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\naccepte");
                return false;
            }
            case IDLE_CLOSE -> {
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                // the next request's head must come within the idle timeout, or the read ends the connection
                connection.setSoTimeout((int) delay.toMillis());
            }
            case HTTP10_CLOSE -> {
                write(out, "HTTP/1.0 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
                return false;
            }
            case HTTP10_UNTIL_CLOSE -> {
                write(out, "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.7\r\n\r\nok");
                return false;
            }
            case EXPECTATION_FAILED -> {
                if (!expectContinue) {
                    write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                    return true;
                }
                write(out, "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                return false;
            }
            case REJECT_EARLY -> {
                write(out, "HTTP/1.1 413 Content Too Large\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n"
                        + "Connection: close\r\n\r\ntoo large");
                return false;
            }
        }
        return true;
    }

    /** Until {@link #delay} has passed, or the receiver closes. */
    private void writeEndlessBody(OutputStream out, String status) throws IOException {
        write(out, "HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n");
        String chunk = Integer.toHexString(8192) + "\r\n" + "overload ".repeat(1024).substring(0, 8192) + "\r\n";
        long end = System.nanoTime() + delay.toNanos();
        while (System.nanoTime() < end && closing.getCount() > 0) {
            write(out, chunk);
        }
    }

    private static void write(OutputStream out, String response) throws IOException {
        out.write(response.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The request line and headers (names in lower case), not its body; null at the end of the stream. */
    private static Map<String, String> readHead(InputStream in) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null || requestLine.isEmpty()) {
            return null;
        }
        Map<String, String> headers = new HashMap<>();
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return headers;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                return line.toString(StandardCharsets.US_ASCII).stripTrailing();
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closing.countDown();
        ServerSocket socket = listener;
        if (socket != null) {
            closeQuietly(socket);
        }
        open.forEach(MisbehavingReceiver::closeQuietly);
        connections.shutdownNow();
    }
}
