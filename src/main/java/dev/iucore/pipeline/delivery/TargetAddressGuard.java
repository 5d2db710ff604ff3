package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.config.ConfigurationException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Keeps webhooks off the service's own network: a target whose host resolves to a loopback,
 * private, shared (100.64/10), link-local (cloud metadata included), unspecified or multicast
 * address is refused, unless {@code iu.delivery.allowed-networks} lists a network that holds it.
 * Every address the name resolves to is checked, just before the request: the JVM caches that
 * resolution (30 s by default) and the HTTP client connects with the same cached answer, so a name
 * cannot resolve to a public address for the check and to a private one for the connection.
 *
 * <p>A try's lookup counts against its deadline ({@link #refusal(URI, long)}): a resolver that
 * hangs cannot be interrupted, so the name is looked up on a thread of its own while the worker
 * waits at most until the deadline, and tries of one name share the lookup in progress, so a hung
 * resolver holds one thread per name, never a worker.
 */
public final class TargetAddressGuard {

    /** Looks a host name up: {@link InetAddress#getAllByName} in production. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private static final ExecutorService LOOKUPS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "iu-core-name-lookup");
        thread.setDaemon(true);
        return thread;
    });

    private final List<Network> allowed;
    private final Resolver resolver;
    /** The lookups in progress, by host: a try of a name being looked up waits for that lookup. */
    private final Map<String, CompletableFuture<InetAddress[]>> lookups = new ConcurrentHashMap<>();

    private TargetAddressGuard(List<Network> allowed, Resolver resolver) {
        this.allowed = allowed;
        this.resolver = resolver;
    }

    /** From the setting: a comma list of CIDRs such as {@code 127.0.0.0/8,10.1.0.0/16}; empty allows none. */
    public static TargetAddressGuard allowing(String networks) {
        return allowing(networks, InetAddress::getAllByName);
    }

    static TargetAddressGuard allowing(String networks, Resolver resolver) {
        List<Network> parsed = new ArrayList<>();
        for (String item : networks.split(",")) {
            if (!item.isBlank()) {
                parsed.add(Network.parse(item.trim()));
            }
        }
        return new TargetAddressGuard(List.copyOf(parsed), resolver);
    }

    /**
     * Null when the target may be sent to; otherwise why not. Resolves the host (UnknownHostException
     * if it cannot) by {@code deadlineNanos} ({@link System#nanoTime}): a name not looked up by then is
     * an {@link HttpTimeoutException}. An address literal needs no lookup.
     */
    String refusal(URI target, long deadlineNanos) throws UnknownHostException, HttpTimeoutException {
        String host = target.getHost();
        if (Network.isLiteral(host)) {
            // parsed, not looked up
            return refusal(host, InetAddress.getAllByName(host));
        }
        CompletableFuture<InetAddress[]> lookup = lookups.get(host);
        if (lookup == null) {
            CompletableFuture<InetAddress[]> mine = new CompletableFuture<>();
            lookup = lookups.putIfAbsent(host, mine);
            if (lookup == null) {
                lookup = mine;
                LOOKUPS.execute(() -> lookUp(host, mine));
            }
        }
        try {
            return refusal(host, lookup.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            throw new HttpTimeoutException("host " + host + " was not resolved within the try's deadline");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpTimeoutException("interrupted while resolving " + host);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownHostException unknown) {
                throw unknown;
            }
            throw new IllegalStateException("resolving " + host + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    private void lookUp(String host, CompletableFuture<InetAddress[]> lookup) {
        try {
            lookup.complete(resolver.resolve(host));
        } catch (Throwable e) {
            lookup.completeExceptionally(e);
        } finally {
            lookups.remove(host, lookup);
        }
    }

    private String refusal(String host, InetAddress[] addresses) {
        for (InetAddress address : addresses) {
            if (internal(address) && !allowed(address)) {
                return "target host " + host + " resolves to " + address.getHostAddress()
                        + ", an internal address; list its network in iu.delivery.allowed-networks to deliver there";
            }
        }
        return null;
    }

    /** Whether a network of {@code iu.delivery.allowed-networks} holds it: a loop, as this runs on every try. */
    private boolean allowed(InetAddress address) {
        for (Network network : allowed) {
            if (network.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** Loopback, private, shared, link-local, unspecified, multicast or unique-local. */
    public static boolean internal(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address && b[0] == 0 && Arrays.equals(Arrays.copyOf(b, 10), new byte[10])
                && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            // an IPv4-mapped IPv6 address is judged by its IPv4 address
            b = Arrays.copyOfRange(b, 12, 16);
        }
        if (b.length == 4) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || first == 10 || first == 127 || first >= 224
                    || (first == 100 && second >= 64 && second < 128)
                    || (first == 169 && second == 254)
                    || (first == 172 && second >= 16 && second < 32)
                    || (first == 192 && second == 168);
        }
        return address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress() || (b[0] & 0xfe) == 0xfc;
    }

    /** One CIDR of the allowlist. */
    private record Network(byte[] prefix, int bits) {

        /** Compiled once: {@link String#matches} compiles its pattern on every call, and this runs on every try. */
        private static final Pattern LITERAL = Pattern.compile("[0-9.]+|\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*]?");

        static Network parse(String cidr) {
            String[] parts = cidr.split("/", -1);
            try {
                byte[] address = InetAddress.getByName(literal(parts[0])).getAddress();
                int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : address.length * 8;
                if (parts.length > 2 || bits < 0 || bits > address.length * 8) {
                    throw new NumberFormatException();
                }
                return new Network(address, bits);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new ConfigurationException("iu.delivery.allowed-networks: \"" + cidr
                        + "\" is not a network in CIDR form such as 127.0.0.0/8 or fd00::/8");
            }
        }

        /** Only address literals: a name here would be resolved once, at start, and never again. */
        private static String literal(String text) throws UnknownHostException {
            if (!isLiteral(text)) {
                throw new UnknownHostException(text);
            }
            return text;
        }

        /** An IPv4 or IPv6 address literal (a URI's host has it in brackets), no name to look up. */
        static boolean isLiteral(String text) {
            return LITERAL.matcher(text).matches();
        }

        boolean contains(InetAddress address) {
            byte[] candidate = address.getAddress();
            if (candidate.length != prefix.length) {
                return false;
            }
            for (int bit = 0; bit < bits; bit++) {
                int mask = 0x80 >> (bit % 8);
                if ((candidate[bit / 8] & mask) != (prefix[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
