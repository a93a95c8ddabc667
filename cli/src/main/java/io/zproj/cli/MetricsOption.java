package io.zproj.cli;

import io.zproj.transport.Addresses;
import io.zproj.transport.MetricsEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --metrics HOST:PORT} on the daemons: Prometheus text at {@code http://HOST:PORT/metrics}. */
final class MetricsOption {

    @Option(names = "--metrics", paramLabel = "HOST:PORT", description = "serve Prometheus metrics at"
            + " http://HOST:PORT/metrics (plain HTTP without authentication: bind it to loopback or a management"
            + " network); default: none")
    String at;

    /** Starts the endpoint if asked for; the caller closes it last. */
    Optional<MetricsEndpoint> start() throws IOException {
        if (at == null || at.isBlank()) {
            return Optional.empty();
        }
        InetSocketAddress a = Addresses.parse(at);
        return Optional.of(MetricsEndpoint.serve(new InetSocketAddress(a.getHostString(), a.getPort())));
    }
}
