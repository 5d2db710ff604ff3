package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.config.ConfigurationException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keeps webhooks off the service's own network: a target whose host resolves to a loopback,
 * private, shared (100.64/10), link-local (cloud metadata included), unspecified or multicast
 * address is refused, unless {@code iu.delivery.allowed-networks} lists a network that holds it.
 * Every address the name resolves to is checked, just before the request: the JVM caches that
 * resolution (30 s by default) and the HTTP client connects with the same cached answer, so a name
 * cannot resolve to a public address for the check and to a private one for the connection.
 */
public final class TargetAddressGuard {

    private final List<Network> allowed;

    private TargetAddressGuard(List<Network> allowed) {
        this.allowed = allowed;
    }

    /** From the setting: a comma list of CIDRs such as {@code 127.0.0.0/8,10.1.0.0/16}; empty allows none. */
    public static TargetAddressGuard allowing(String networks) {
        List<Network> parsed = new ArrayList<>();
        for (String item : networks.split(",")) {
            if (!item.isBlank()) {
                parsed.add(Network.parse(item.trim()));
            }
        }
        return new TargetAddressGuard(List.copyOf(parsed));
    }

    /** Null when the target may be sent to; otherwise why not. Resolves the host (UnknownHostException if it cannot). */
    String refusal(URI target) throws UnknownHostException {
        for (InetAddress address : InetAddress.getAllByName(target.getHost())) {
            if (internal(address) && allowed.stream().noneMatch(network -> network.contains(address))) {
                return "target host " + target.getHost() + " resolves to " + address.getHostAddress()
                        + ", an internal address; list its network in iu.delivery.allowed-networks to deliver there";
            }
        }
        return null;
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
            if (!text.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
                throw new UnknownHostException(text);
            }
            return text;
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
