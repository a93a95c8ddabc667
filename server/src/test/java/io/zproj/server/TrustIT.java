package io.zproj.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zproj.transport.RemoteException;
import io.zproj.transport.StreamHeader;
import io.zproj.transport.StreamSource;
import io.zproj.transport.Transport;
import io.zproj.transport.TransportClient;
import io.zproj.transport.TransportConfig;
import io.zproj.transport.tls.CertificateAuthority;
import io.zproj.transport.tls.NodeTls;
import io.zproj.transport.tls.Role;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.ReceiveOptions;
import io.zproj.zfs.SendStream;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Zfs;
import io.zproj.zfs.testing.TestPool;
import io.zproj.zfs.testing.Trees;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real replica server on a real zfs-fuse pool behind mutual TLS with an allow list: a client
 * not allowed a project can neither fetch nor write it back and nothing changes; a client
 * cannot create; a write-back that stalls is aborted, nothing of it kept, and the project takes
 * the next write-back.
 */
class TrustIT {

    private static TestPool pool;
    private static Zfs zfs;
    private static Path tls;
    private static Transport serverTransport;
    private static ReplicaServer server;
    private static ProjectId allowed;
    private static ProjectId other;

    @BeforeAll
    static void start() throws IOException {
        pool = TestPool.create(512L << 20);
        zfs = pool.bridge();
        tls = pool.dir().resolve("tls");
        CertificateAuthority ca = CertificateAuthority.init(tls.resolve("ca"), "it-ca", Duration.ofDays(1),
                Clock.systemUTC());
        ca.issue("srv", Role.SERVER, List.of("127.0.0.1"), Duration.ofDays(1), tls.resolve("srv"));
        ca.issue("alice", Role.CLIENT, List.of(), Duration.ofDays(1), tls.resolve("alice"));
        DatasetName root = pool.dataset("srv");
        zfs.createDataset(root, DatasetProperties.create());
        zfs.createDataset(pool.dataset("client"), DatasetProperties.create());
        allowed = seed(root);
        other = seed(root);
        Path allow = tls.resolve("allow");
        Files.writeString(allow, "alice " + allowed + "\n");
        serverTransport = Transport.create(TransportConfig.defaults().withStall(Duration.ofSeconds(1), 1 << 20),
                Optional.of(NodeTls.load(tls.resolve("srv"), Optional.of(tls.resolve("ca/crl.pem")))));
        server = ReplicaServer.start(zfs, serverTransport, ServerConfig.of(root, new InetSocketAddress("127.0.0.1", 0))
                .withStateDir(pool.dir().resolve("state")).withAllowList(allow), Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (serverTransport != null) {
            serverTransport.close();
        }
        pool.close();
    }

    private static ProjectId seed(DatasetName root) throws IOException {
        ProjectId id = ProjectId.random();
        DatasetName ds = root.child(id);
        zfs.createDataset(ds, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
        Path mnt = pool.dir().resolve("seed-" + id);
        zfs.mount(ds, mnt);
        Trees.populate(mnt, 3, 20, 4 << 20);
        zfs.unmount(ds);
        zfs.snapshot(ds.snapshot("zproj-20261126T100000Z"));
        return id;
    }

    private static Transport client(String node) throws IOException {
        return Transport.create(TransportConfig.defaults(),
                Optional.of(NodeTls.load(tls.resolve(node), Optional.empty())));
    }

    /** Copies the server's project to the client pool and snapshots a change there: a write-back to make. */
    private static Snapshot[] localChange(ProjectId id, String name) throws IOException {
        DatasetName remote = pool.dataset("srv").child(id);
        DatasetName local = pool.dataset("client").child(id);
        Snapshot base = zfs.newestSnapshot(remote).orElseThrow();
        if (!zfs.exists(local)) {
            try (SendStream s = zfs.send(base.name(), Optional.empty())) {
                zfs.receive(local, s.stream(), ReceiveOptions.defaults());
                s.finish();
            }
        }
        Snapshot localBase = zfs.listSnapshots(local).stream().filter(x -> x.guid() == base.guid()).findFirst()
                .orElseThrow();
        Path mnt = pool.dir().resolve("local-" + id);
        zfs.mount(local, mnt);
        Trees.populate(mnt.resolve(name), 5, 10, 3 << 20);
        zfs.unmount(local);
        return new Snapshot[] {localBase, zfs.snapshot(local.snapshot(name))};
    }

    private static StreamSource sendOf(Snapshot to, Snapshot from) throws IOException {
        SendStream send = zfs.send(to.name(), Optional.of(from.name()));
        return StreamSource.of(send.stream(), send::finish, send::close);
    }

    @Test
    void aClientNotAllowedAProject_canNeitherFetchNorWriteItBack_norCreate_andNothingChanges() throws Exception {
        Snapshot[] change = localChange(other, "mallory-was-here");
        DatasetName remote = pool.dataset("srv").child(other);
        List<Snapshot> before = zfs.listSnapshots(remote);
        ProjectId fresh = ProjectId.random();
        try (Transport t = client("alice"); TransportClient c = t.connect(server.address(), "alice")) {
            assertThat(c.list()).extracting(e -> e.id()).containsExactly(allowed.uuid());
            assertThatThrownBy(() -> c.pull(other.uuid(), java.util.OptionalLong.empty(),
                    h -> { throw new AssertionError("no stream may start"); }))
                    .isInstanceOf(RemoteException.class).hasMessageContaining("FORBIDDEN");
            assertThatThrownBy(() -> c.push(new StreamHeader(other.uuid(),
                    io.zproj.server.Streams.entry(change[1]), Optional.of(io.zproj.server.Streams.entry(change[0]))),
                    sendOf(change[1], change[0]))).isInstanceOf(RemoteException.class)
                    .hasMessageContaining("FORBIDDEN");
            assertThatThrownBy(() -> c.create(fresh.uuid(), 0)).hasMessageContaining("FORBIDDEN");
        }
        assertThat(zfs.listSnapshots(remote)).isEqualTo(before);
        assertThat(zfs.exists(pool.dataset("srv").child(fresh))).isFalse();
    }

    @Test
    void replicasCatchUpTheirPeers_overTls_asServers() throws Exception {
        DatasetName rootB = pool.dataset("srvb");
        DatasetName rootC = pool.dataset("srvc");
        zfs.createDataset(rootB, DatasetProperties.create());
        zfs.createDataset(rootC, DatasetProperties.create());
        ProjectId id = seed(rootC);
        try (ReplicaServer b = ReplicaServer.start(zfs, serverTransport,
                ServerConfig.of(rootB, new InetSocketAddress("127.0.0.1", 0)).withStateDir(pool.dir().resolve("state-b"))
                        .withAllowList(tls.resolve("allow")), Clock.systemUTC());
                ReplicaServer c = ReplicaServer.start(zfs, serverTransport,
                        ServerConfig.of(rootC, new InetSocketAddress("127.0.0.1", 0))
                                .withStateDir(pool.dir().resolve("state-c")).withRescan(Duration.ofSeconds(1))
                                .withPeers(List.of(b.address())), Clock.systemUTC())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!zfs.exists(rootB.child(id))) { // the allow list narrows clients, not servers
                assertThat(System.nanoTime()).as("caught up within 60 s").isLessThan(deadline);
                Thread.sleep(100);
            }
            while (b.lastWriteBack(id).isEmpty()) {
                assertThat(System.nanoTime()).as("caught up within 60 s").isLessThan(deadline);
                Thread.sleep(100);
            }
            assertThat(b.lastWriteBack(id).orElseThrow().writer()).startsWith("srv@"); // named by its certificate
        }
    }

    @Test
    void aStalledWriteBack_isAborted_nothingKept_andTheProjectTakesTheNextOne() throws Exception {
        Snapshot[] change = localChange(allowed, "work");
        DatasetName remote = pool.dataset("srv").child(allowed);
        List<Snapshot> before = zfs.listSnapshots(remote);
        CountDownLatch release = new CountDownLatch(1);
        StreamSource real = sendOf(change[1], change[0]);
        StreamSource stalling = new StreamSource() {
            private boolean sent;

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                if (sent) {
                    try {
                        release.await(60, TimeUnit.SECONDS); // a peer that stops sending, and holds on
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IOException("released");
                }
                sent = true;
                return real.read(buf, off, Math.min(len, 16 << 10));
            }

            @Override
            public void finish() {}

            @Override
            public void close() {
                real.close();
            }
        };
        AtomicReference<Throwable> pushFailed = new AtomicReference<>();
        Transport t = client("alice");
        Thread pusher = new Thread(() -> {
            try (TransportClient c = t.connect(server.address(), "alice")) {
                c.push(new StreamHeader(allowed.uuid(), Streams.entry(change[1]), Optional.of(Streams.entry(change[0]))),
                        stalling);
            } catch (Throwable e) {
                pushFailed.set(e);
            }
        });
        pusher.start();
        try (TransportClient c = t.connect(server.address(), "alice")) {
            // BUSY while the stalled stream holds the project's write lock; accepted once it is aborted
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    c.push(new StreamHeader(allowed.uuid(), Streams.entry(change[1]),
                            Optional.of(Streams.entry(change[0]))), sendOf(change[1], change[0]));
                    break;
                } catch (RemoteException e) {
                    assertThat(e).hasMessageContaining("BUSY");
                    assertThat(System.nanoTime()).as("the stalled stream released within 30 s").isLessThan(deadline);
                    List<Snapshot> during = zfs.listSnapshots(remote);
                    assertThat(during).isEqualTo(before);
                    Thread.sleep(100);
                }
            }
        } finally {
            release.countDown();
            pusher.join();
            t.close();
        }
        assertThat(pushFailed.get()).isNotNull();
        assertThat(zfs.newestSnapshot(remote).orElseThrow().guid()).isEqualTo(change[1].guid());
        assertThat(zfs.listSnapshots(remote)).hasSize(before.size() + 1);
    }
}
