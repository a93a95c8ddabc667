package io.zproj.transport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * Serves zproj's meters as Prometheus text at {@code http://HOST:PORT/metrics}
 * ({@code --metrics HOST:PORT}). Every module records on Micrometer's global registry, which
 * costs next to nothing while no registry is attached; this attaches Micrometer's Prometheus
 * registry for as long as it runs. The endpoint is plain HTTP with no authentication, as
 * Prometheus scrapes usually are: bind it to loopback or a management network.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(MetricsEndpoint.class.getName());

    private final PrometheusMeterRegistry registry;
    private final HttpServer http;

    private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer http) {
        this.registry = registry;
        this.http = http;
    }

    /** Starts serving at {@code at} (port 0: any free port, see {@link #address()}). */
    public static MetricsEndpoint serve(InetSocketAddress at) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        HttpServer http;
        try {
            http = HttpServer.create(at, 16);
        } catch (IOException e) {
            registry.close();
            throw new IOException("cannot serve metrics at " + Addresses.format(at) + ": " + e.getMessage(), e);
        }
        http.createContext("/metrics", exchange -> answer(exchange, registry));
        http.setExecutor(Executors.newSingleThreadExecutor(new io.netty.util.concurrent.DefaultThreadFactory(
                "zproj-metrics", true)));
        Metrics.addRegistry(registry);
        http.start();
        MetricsEndpoint endpoint = new MetricsEndpoint(registry, http);
        LOG.log(Level.INFO, "serving metrics at http://" + Addresses.format(endpoint.address()) + "/metrics");
        return endpoint;
    }

    private static void answer(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Where it listens (the real port if 0 was asked for). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** The text a scrape returns now (for tests and {@code zproj status}). */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        http.stop(0);
        ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
        Metrics.removeRegistry(registry);
        registry.close();
    }
}
