package io.zproj.transport;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** {@code HOST:PORT} and comma-separated lists of them, as the command line takes servers. */
public final class Addresses {

    private Addresses() {}

    /**
     * Parses {@code host:port} ({@code [v6]:port} for IPv6 literals). The host is not resolved here.
     *
     * @throws IllegalArgumentException with what is wrong
     */
    public static InetSocketAddress parse(String text) {
        String t = text == null ? "" : text.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("not HOST:PORT: '" + t + "'");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + t + "'");
        }
        if (port < 1 || port > 65535 || host.isEmpty()) {
            throw new IllegalArgumentException("not HOST:PORT with a port from 1 to 65535: '" + t + "'");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** Parses {@code host:port[,host:port...]}. */
    public static List<InetSocketAddress> parseList(String text) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                out.add(parse(part));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no HOST:PORT given");
        }
        return out;
    }

    /** {@code host:port} for messages. */
    public static String format(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }
}
