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

    private EtcdClients() {}

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
