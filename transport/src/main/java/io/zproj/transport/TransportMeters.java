package io.zproj.transport;

import io.micrometer.core.instrument.Metrics;

/**
 * What the transport counts, on Micrometer's global registry (served by {@link MetricsEndpoint}):
 * bytes of streams on the wire, TLS handshakes that failed, requests refused by authorization
 * or for lack of room. One place names them all.
 */
public final class TransportMeters {

    private TransportMeters() {}

    /** A stream ended: {@code wireBytes} crossed the network, {@code sent} by this node or received. */
    static void streamed(boolean sent, long wireBytes) {
        Metrics.counter("zproj.wire.bytes", "direction", sent ? "sent" : "received").increment(wireBytes);
    }

    /** A TLS handshake failed (no certificate, another CA, revoked, expired, not TLS at all). */
    static void handshakeFailed() {
        Metrics.counter("zproj.tls.handshake.failures").increment();
    }

    /** A request was refused as {@code FORBIDDEN}. */
    static void forbidden() {
        Metrics.counter("zproj.authorization.failures").increment();
    }

    /** A server refused a request or connection for lack of room ({@code BUSY}): {@code what} streams, workers or connections. */
    static void busy(String what) {
        Metrics.counter("zproj.server.refused", "reason", what).increment();
    }

    /** A server's gauges (streams and connections open now), tagged with its address; remove them at its close. */
    static java.util.List<io.micrometer.core.instrument.Meter> serverGauges(TransportServer server) {
        String at = Addresses.format(server.address());
        // counters exist from the start at 0, so that a scrape shows them and rate() has a first sample
        streamed(true, 0);
        streamed(false, 0);
        Metrics.counter("zproj.tls.handshake.failures");
        Metrics.counter("zproj.authorization.failures");
        for (String reason : java.util.List.of("streams", "workers", "connections")) {
            Metrics.counter("zproj.server.refused", "reason", reason);
        }
        return java.util.List.of(
                io.micrometer.core.instrument.Gauge.builder("zproj.server.streams.active", server, TransportServer::activeStreams)
                        .description("sends and receives running now").tag("listen", at).register(Metrics.globalRegistry),
                io.micrometer.core.instrument.Gauge.builder("zproj.server.connections", server, TransportServer::connections)
                        .description("open connections").tag("listen", at).register(Metrics.globalRegistry));
    }

    /** Takes meters of something that stopped off the global registry. */
    public static void remove(java.util.List<io.micrometer.core.instrument.Meter> meters) {
        meters.forEach(Metrics.globalRegistry::remove);
    }
}
