package io.zproj.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zproj.server.ReplicaServer;
import io.zproj.server.ServerConfig;
import io.zproj.server.fleet.LocalEtcd;
import io.zproj.transport.Transport;
import io.zproj.transport.TransportConfig;
import io.zproj.transport.tls.CertificateAuthority;
import io.zproj.transport.tls.NodeTls;
import io.zproj.transport.tls.Role;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.testing.Await;
import io.zproj.zfs.testing.TestPool;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * etcd behind zproj's own CA: an etcd with {@code --client-cert-auth} trusting zproj's
 * {@code ca.pem} admits a server and a mount that present their node certificates, and no one
 * else (no certificate, or another CA's).
 */
class EtcdTlsIT {

    @Test
    void onlyZprojIdentities_publishAndWatch() throws Exception {
        try (TestPool pool = TestPool.create(256L << 20)) {
            Path tls = pool.dir().resolve("tls");
            CertificateAuthority ca = CertificateAuthority.init(tls.resolve("ca"), "it-ca", Duration.ofDays(1),
                    Clock.systemUTC());
            ca.issue("etcd", Role.SERVER, List.of("127.0.0.1"), Duration.ofDays(1), tls.resolve("etcd"));
            ca.issue("srv", Role.SERVER, List.of("127.0.0.1"), Duration.ofDays(1), tls.resolve("srv"));
            ca.issue("laptop", Role.CLIENT, List.of(), Duration.ofDays(1), tls.resolve("laptop"));
            CertificateAuthority other = CertificateAuthority.init(tls.resolve("other-ca"), "other", Duration.ofDays(1),
                    Clock.systemUTC());
            other.issue("mallory", Role.CLIENT, List.of(), Duration.ofDays(1), tls.resolve("mallory"));
            DatasetName root = pool.dataset("srv");
            pool.bridge().createDataset(root, DatasetProperties.create());
            ProjectId id = ProjectId.random();
            pool.bridge().createDataset(root.child(id), DatasetProperties.create()
                    .canmount(DatasetProperties.CanMount.NOAUTO));
            try (LocalEtcd etcd = LocalEtcd.launch("zproj-it-etcd-", Optional.of(tls.resolve("etcd")));
                    Transport t = Transport.create(TransportConfig.defaults(),
                            Optional.of(NodeTls.load(tls.resolve("srv"), Optional.empty())));
                    ReplicaServer server = ReplicaServer.start(pool.bridge(), t,
                            ServerConfig.of(root, new InetSocketAddress("127.0.0.1", 0))
                                    .withStateDir(pool.dir().resolve("state")).withEtcd(etcd.endpoints(), Optional.empty()),
                            Clock.systemUTC())) {
                assertThat(etcd.endpoint().getScheme()).isEqualTo("https");
                try (EtcdFleet fleet = EtcdFleet.start(etcd.endpoints(),
                        Optional.of(NodeTls.load(tls.resolve("laptop"), Optional.empty())))) {
                    Await.within(10, "the server's project seen over TLS", () -> fleet.listed().containsKey(id));
                    assertThat(fleet.servers()).containsExactly(server.address());
                }
                assertThatThrownBy(() -> EtcdFleet.start(etcd.endpoints(), Optional.empty()))
                        .hasMessageContaining("need this node's certificate");
                try (EtcdFleet outsider = EtcdFleet.start(etcd.endpoints(),
                        Optional.of(NodeTls.load(tls.resolve("mallory"), Optional.empty())))) {
                    assertThat(outsider.connected()).as("another CA's certificate is refused").isFalse();
                    assertThat(outsider.listed()).isEmpty();
                }
            }
        }
    }
}
