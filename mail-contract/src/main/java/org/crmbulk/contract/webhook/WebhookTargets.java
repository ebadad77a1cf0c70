package org.crmbulk.contract.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where webhooks may go (the SSRF guard): an absolute http(s) URL without credentials whose host resolves only to
 * public addresses — never loopback, link-local, private, shared, multicast or reserved ones, IPv4 inside IPv6
 * included — unless an address lies in a network the configuration allows. Checked when a subscription is saved and
 * again before every attempt, since what a name resolves to can change.
 */
public final class WebhookTargets {

    public static final int MAX_URL_LENGTH = 2000;

    private final boolean requireHttps;
    private final List<Network> allowed;

    /**
     * @param allowedNetworks addresses or CIDR networks a target may resolve to although they are not public, such as
     *                        {@code 127.0.0.1} for tests or {@code 10.20.0.0/16} for an ERP inside the cluster
     */
    public WebhookTargets(boolean requireHttps, List<String> allowedNetworks) {
        this.requireHttps = requireHttps;
        this.allowed = allowedNetworks.stream().map(String::strip).filter(s -> !s.isEmpty()).map(Network::parse).toList();
    }

    /** Why the URL cannot be a webhook's target, if it cannot; resolves its host. */
    public Optional<String> problem(String url) {
        if (url == null || url.isBlank()) {
            return Optional.of("is required");
        }
        if (url.length() > MAX_URL_LENGTH) {
            return Optional.of("must have at most " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && !requireHttps)) {
            return Optional.of(requireHttps ? "must be an https URL" : "must be an http or https URL");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("must not carry credentials");
        }
        if (uri.getRawFragment() != null) {
            return Optional.of("must not have a fragment");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return Optional.of("must name a host");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException | SecurityException e) {
            return Optional.of("its host does not resolve");
        }
        for (InetAddress address : addresses) {
            if (!isPublic(address) && allowed.stream().noneMatch(n -> n.contains(address))) {
                return Optional.of("resolves to a loopback, link-local, private or reserved address, which is refused");
            }
        }
        return Optional.empty();
    }

    /** Whether an address is one the public internet routes to. */
    static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first != 0 // "this network"
                    && !(first == 100 && (second & 0xc0) == 64) // 100.64.0.0/10, carrier-grade NAT
                    && !(first == 192 && second == 0 && (b[2] & 0xff) == 0) // 192.0.0.0/24, protocol assignments
                    && !(first == 198 && (second & 0xfe) == 18) // 198.18.0.0/15, benchmarking
                    && first < 240; // 240.0.0.0/4 reserved, 255.255.255.255 broadcast
        }
        if (address instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) { // fc00::/7, unique local
                return false;
            }
            boolean v4Compatible = Arrays.equals(Arrays.copyOf(b, 12), new byte[12]); // ::a.b.c.d (and ::, ::1)
            boolean nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b
                    && Arrays.equals(Arrays.copyOfRange(b, 4, 12), new byte[8]); // 64:ff9b::/96
            if (v4Compatible || nat64) {
                try {
                    return isPublic(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
                } catch (UnknownHostException e) {
                    return false;
                }
            }
            if (b[0] == 0x20 && b[1] == 0x02) { // 2002::/16, 6to4: the IPv4 address in bits 16-47
                try {
                    return isPublic(InetAddress.getByAddress(Arrays.copyOfRange(b, 2, 6)));
                } catch (UnknownHostException e) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /** An address or a CIDR network. */
    private record Network(byte[] prefix, int bits) {

        static Network parse(String text) {
            int slash = text.indexOf('/');
            try {
                byte[] address = InetAddress.getByName(slash < 0 ? text : text.substring(0, slash)).getAddress();
                int bits = slash < 0 ? address.length * 8 : Integer.parseInt(text.substring(slash + 1));
                if (bits < 0 || bits > address.length * 8) {
                    throw new IllegalArgumentException("the allowed webhook network " + text + " has a bad prefix length");
                }
                return new Network(address, bits);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("the allowed webhook network " + text + " is not an address or CIDR network", e);
            }
        }

        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != prefix.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((a[i / 8] & mask) != (prefix[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
