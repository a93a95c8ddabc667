package io.zproj.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.zproj.server.testing.TestCluster;
import io.zproj.server.fleet.LocalEtcd;
import io.zproj.transport.TransportClient;
import io.zproj.transport.TransportConfig;
import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.zproj.zfs.testing.Await;

/**
 * Servers publish to a real etcd, a client follows it with a watch: what a server holds reaches
 * the client by the watch alone (the fleet view has no connection to any server), a server that
 * stops drops out, and a client rides out etcd going away and picks up what changed meanwhile.
 */
class EtcdFleetIT {

    private static LocalEtcd etcd;
    private static TestCluster cluster;

    @BeforeAll
    static void start() throws IOException {
        etcd = LocalEtcd.launch();
        cluster = TestCluster.start(2, 512L << 20, TransportConfig.defaults(), etcd.endpoints());
    }

    @AfterAll
    static void stop() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }


    @Test
    void aNewProjectAndANewHead_reachTheClientByTheWatch_withinASecond() throws Exception {
        ProjectId seeded = cluster.seed(dir -> Files.writeString(dir.resolve("a"), "a"), 0, 1);
        cluster.rescanAll();
        try (EtcdFleet fleet = EtcdFleet.start(etcd.endpoints(), java.util.Optional.empty())) {
            AtomicInteger changes = new AtomicInteger();
            fleet.onChange(changes::incrementAndGet);
            assertThat(fleet.connected()).isTrue();
            assertThat(fleet.servers()).containsExactlyInAnyOrder(cluster.address(0), cluster.address(1));
            assertThat(fleet.listed()).containsKey(seeded);
            long before = fleet.revision();

            ProjectId created = ProjectId.random();
            try (TransportClient c = cluster.transport().connect(cluster.address(1), "it")) {
                c.create(created.uuid(), 0);
            }
            Await.within(1, "the new project seen", () -> fleet.listed().containsKey(created));
            assertThat(fleet.revision()).isGreaterThan(before);
            assertThat(changes.get()).isPositive();

            long head = fleet.listed().get(seeded).newest().orElseThrow().guid();
            cluster.zfs().snapshot(cluster.root(0).child(seeded).snapshot("zproj-20261126T150000Z"));
            cluster.rescanAll();
            Await.within(1, "the new head seen", () -> fleet.listed().get(seeded).newest().orElseThrow().guid() != head);
        }
    }

    @Test
    void aServerThatStops_dropsOut_andComesBackWhenItReturns() throws Exception {
        ProjectId onlyOnB = cluster.seed(dir -> Files.writeString(dir.resolve("b"), "b"), 1);
        cluster.rescanAll();
        try (EtcdFleet fleet = EtcdFleet.start(etcd.endpoints(), java.util.Optional.empty())) {
            Await.within(1, "the project seen", () -> fleet.listed().containsKey(onlyOnB));
            cluster.stop(1);
            Await.within(1, "server 1 gone", () -> !fleet.servers().contains(cluster.address(1)));
            assertThat(fleet.listed()).doesNotContainKey(onlyOnB);
            cluster.restart(1);
            Await.within(5, "server 1 back", () -> fleet.servers().contains(cluster.address(1))
                    && fleet.listed().containsKey(onlyOnB));
        }
    }

    @Test
    void etcdGoneAndBack_theViewStays_thenTheWatchResumes_andAChangeMadeMeanwhileIsSeen() throws Exception {
        ProjectId kept = cluster.seed(dir -> Files.writeString(dir.resolve("k"), "k"), 0);
        cluster.rescanAll();
        try (EtcdFleet fleet = EtcdFleet.start(etcd.endpoints(), java.util.Optional.empty())) {
            Await.within(1, "the project seen", () -> fleet.listed().containsKey(kept));
            etcd.kill();
            Await.within(30, "the watch noticed", () -> !fleet.connected());
            assertThat(fleet.listed()).containsKey(kept); // still served from what is known
            assertThat(fleet.describe()).contains("NOT ANSWERING").contains("serving what was known");
            ProjectId meanwhile = ProjectId.random();
            try (TransportClient c = cluster.transport().connect(cluster.address(0), "it")) {
                c.create(meanwhile.uuid(), 0); // the server serves on; its publication waits for etcd
            }
            etcd.start();
            Await.within(30, "the change made meanwhile seen", () -> fleet.connected()
                    && fleet.listed().containsKey(meanwhile) && fleet.listed().containsKey(kept));
            assertThat(fleet.describe()).contains("watching at revision");
        }
    }
}
