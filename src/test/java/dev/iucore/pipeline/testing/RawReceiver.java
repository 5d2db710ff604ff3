package dev.iucore.pipeline.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on a raw socket, for the receivers a polite test server never is: one that
 * stalls before its headers, answers its headers and then never finishes the body, trickles the
 * body, or answers in HTTP/1.0 and closes every connection. It counts the requests it read.
 */
public final class RawReceiver implements AutoCloseable {

    public enum Behaviour {
        /** Reads the request and never answers. */
        STALL_BEFORE_HEADERS,
        /** A 503 with no Content-Length on a kept-alive connection, then nothing more. */
        STALL_AFTER_HEADERS,
        /** A 200 announcing 1,000 bytes of body, sent one byte every 200 ms. */
        TRICKLE_BODY,
        /** HTTP/1.0 200, no keep-alive: the connection closes after every response. */
        CLOSE_EVERY_CONNECTION
    }

    private final ServerSocket server;
    private final Behaviour behaviour;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "raw-receiver");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Socket> open = new ArrayList<>();

    public RawReceiver(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.submit(this::accept);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    /** Requests read so far (request line and headers, and the body by its Content-Length). */
    public int requests() {
        return requests.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                synchronized (open) {
                    open.add(socket);
                }
                threads.submit(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            while (readRequest(in)) {
                requests.incrementAndGet();
                switch (behaviour) {
                    case STALL_BEFORE_HEADERS -> TimeUnit.MINUTES.sleep(10);
                    case STALL_AFTER_HEADERS -> {
                        out.write(ascii("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nstill "));
                        out.flush();
                        TimeUnit.MINUTES.sleep(10);
                    }
                    case TRICKLE_BODY -> {
                        out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"));
                        for (int i = 0; i < 1000; i++) {
                            out.write('x');
                            out.flush();
                            TimeUnit.MILLISECONDS.sleep(200);
                        }
                    }
                    case CLOSE_EVERY_CONNECTION -> {
                        out.write(ascii("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nok"));
                        out.flush();
                        return;
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client gave up or the receiver is closing: either ends this connection
        }
    }

    /** Reads one request; false at the end of the connection. */
    private static boolean readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            head.append((char) b);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                int length = 0;
                for (String line : head.toString().split("\r\n")) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                in.readNBytes(length);
                return true;
            }
        }
        return false;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (open) {
            for (Socket socket : open) {
                socket.close();
            }
        }
        threads.shutdownNow();
    }
}
