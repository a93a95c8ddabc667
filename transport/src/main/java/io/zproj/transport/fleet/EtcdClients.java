package io.zproj.transport.fleet;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.zproj.transport.tls.NodeTls;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * The one place an etcd client is made: to {@code https://} endpoints it presents this node's
 * certificate and trusts only zproj's CA (an etcd run with {@code --client-cert-auth} and zproj's
 * {@code ca.pem} then admits zproj's identities alone); to {@code http://} endpoints, plain text.
 */
public final class EtcdClients {

    /** How long one etcd request may take before it counts as etcd not answering. */
    public static final java.time.Duration OP_TIMEOUT = java.time.Duration.ofSeconds(5);

    private EtcdClients() {}

    /** A key or value as etcd takes it. */
    public static io.etcd.jetcd.ByteSequence bytes(String s) {
        return io.etcd.jetcd.ByteSequence.from(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** What went wrong with an etcd request, for a log line (the cause of a failed future). */
    public static String why(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.ExecutionException && t.getCause() != null ? t.getCause() : t;
        return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
    }

    /**
     * @throws IllegalArgumentException for {@code https://} endpoints without a node certificate,
     *                                  or a mix of both schemes
     */
    public static Client connect(List<URI> endpoints, Optional<NodeTls> tls) {
        boolean https = endpoints.stream().anyMatch(u -> "https".equals(u.getScheme()));
        if (https && endpoints.stream().anyMatch(u -> !"https".equals(u.getScheme()))) {
            throw new IllegalArgumentException("etcd endpoints mix http:// and https://: " + endpoints);
        }
        ClientBuilder b = Client.builder().endpoints(endpoints.toArray(URI[]::new));
        if (https) {
            NodeTls t = tls.orElseThrow(() -> new IllegalArgumentException("https:// etcd endpoints need this node's "
                    + "certificate: give --tls NODEDIR"));
            try {
                b.sslContext(t::configureClient);
            } catch (SSLException e) {
                throw new IllegalArgumentException("cannot set up TLS to etcd: " + e.getMessage(), e);
            }
        }
        return b.build();
    }
}
