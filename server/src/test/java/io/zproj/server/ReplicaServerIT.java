package io.zproj.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zproj.server.testing.MutableClock;
import io.zproj.server.testing.TestCluster;
import io.zproj.transport.ErrorCode;
import io.zproj.transport.ProjectEntry;
import io.zproj.transport.ProjectInfo;
import io.zproj.transport.RemoteException;
import io.zproj.transport.SnapshotEntry;
import io.zproj.transport.StreamHeader;
import io.zproj.transport.StreamSink;
import io.zproj.transport.StreamSource;
import io.zproj.transport.TransportClient;
import io.zproj.zfs.DatasetBusyException;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.KeepPolicy;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.ReceiveOptions;
import io.zproj.zfs.ReceiveStream;
import io.zproj.zfs.SendStream;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.testing.Await;
import io.zproj.zfs.Snapshots;
import io.zproj.zfs.Zfs;
import io.zproj.zfs.ZfsException;
import io.zproj.zfs.testing.TestPool;
import io.zproj.zfs.testing.Trees;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One real replica server on a real zfs-fuse pool, driven over a real loopback connection. */
class ReplicaServerIT {

    private static TestCluster cluster;
    private static Zfs zfs;

    @BeforeAll
    static void start() throws IOException {
        cluster = TestCluster.start(1);
        zfs = cluster.zfs();
    }

    @AfterAll
    static void stop() throws IOException {
        cluster.close();
    }

    private static TransportClient client() throws IOException {
        return cluster.transport().connect(cluster.address(0), "it-client");
    }

    /** The client side of a pull: a local zfs receive. */
    private static StreamSink<Snapshot> receiveInto(DatasetName target) throws ZfsException {
        ReceiveStream r = zfs.receive(target, ReceiveOptions.defaults());
        return new StreamSink<>() {
            @Override
            public void write(byte[] buf, int off, int len) throws IOException {
                r.stream().write(buf, off, len);
            }

            @Override
            public Snapshot complete(long totalBytes) throws IOException {
                return r.finish();
            }

            @Override
            public void abort(String reason) {
                r.close();
            }
        };
    }

    private static StreamSource sendOf(Snapshot snap, Optional<Snapshot> base) throws ZfsException {
        SendStream send = zfs.send(snap.name(), base.map(Snapshot::name));
        return StreamSource.of(send.stream(), send::finish, send::close);
    }

    private static SnapshotEntry entry(Snapshot s) {
        return Streams.entry(s);
    }

    /** Changes a dataset's content and snapshots it. */
    private static Snapshot change(DatasetName ds, String file, String text, String snapName) throws IOException {
        Path mnt = cluster.mount(ds);
        Files.writeString(mnt.resolve(file), text);
        zfs.unmount(ds);
        return zfs.snapshot(ds.snapshot(snapName));
    }

    @Test
    void list_showsProjectsOnly_withNewestSnapshot_andInfoHasAll() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("a.txt"), "a"), 0);
        DatasetName ds = cluster.root(0).child(id);
        Snapshot foreign = zfs.snapshot(ds.snapshot("2013-12-18T18:23:22"));
        zfs.createDataset(cluster.root(0).child("not-a-project"), DatasetProperties.create());
        cluster.server(0).rescan();
        try (TransportClient c = client()) {
            ProjectEntry e = c.list().stream().filter(p -> p.id().equals(id.uuid())).findFirst().orElseThrow();
            assertThat(e.newest()).contains(entry(foreign));
            assertThat(e.usedBytes()).isPositive();
            assertThat(c.list()).extracting(p -> p.id().toString()).allMatch(ProjectId::isValid);
            ProjectInfo info = c.info(id.uuid());
            assertThat(info.snapshots()).hasSize(2).last().isEqualTo(entry(foreign));
            assertThatThrownBy(() -> c.info(ProjectId.random().uuid())).isInstanceOf(RemoteException.class)
                    .hasMessageStartingWith("NOT_FOUND");
        }
    }

    @Test
    void send_fullThenIncremental_receivedTreesAreIdentical() throws Exception {
        ProjectId id = cluster.seed(dir -> Trees.populate(dir, 3, 120, 3 << 20), 0);
        DatasetName remote = cluster.root(0).child(id);
        DatasetName local = cluster.clientRoot().child(id);
        try (TransportClient c = client()) {
            TransportClient.PullResult<Snapshot> full = c.pull(id.uuid(), OptionalLong.empty(), h -> receiveInto(local));
            assertThat(full.header().incremental()).isFalse();
            assertThat(full.value().guid()).isEqualTo(zfs.newestSnapshot(remote).orElseThrow().guid());

            Snapshot b = change(remote, "new.txt", "second version", "b");
            TransportClient.PullResult<Snapshot> inc = c.pull(id.uuid(), OptionalLong.of(full.value().guid()),
                    h -> receiveInto(local));
            assertThat(inc.header().incremental()).isTrue();
            assertThat(inc.value().guid()).isEqualTo(b.guid());
            assertThat(inc.stats().rawBytes()).isLessThan(full.stats().rawBytes() / 10);

            assertThatThrownBy(() -> c.pull(id.uuid(), OptionalLong.of(b.guid()), h -> receiveInto(local)))
                    .isInstanceOf(TransportClient.UpToDateException.class);
        }
        assertThat(cluster.tree(local)).isEqualTo(cluster.tree(remote));
    }

    @Test
    void send_rightAfterInfo_ofAProjectChangedInBetween_sendsItsNewNewest() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("a.txt"), "a"), 0);
        DatasetName remote = cluster.root(0).child(id);
        try (TransportClient c = client()) {
            assertThat(c.info(id.uuid()).snapshots()).hasSize(1); // the send may reuse what this read
            Snapshot b = change(remote, "b.txt", "b", "b");
            cluster.server(0).rescan(); // the server knows of b now
            TransportClient.PullResult<Snapshot> r = c.pull(id.uuid(), OptionalLong.empty(),
                    h -> receiveInto(cluster.clientRoot().child(id)));
            assertThat(r.header().snapshot().guid()).isEqualTo(b.guid());
        }
    }

    @Test
    void send_projectWithoutSnapshot_takesOne() throws Exception {
        ProjectId id = ProjectId.random();
        DatasetName ds = cluster.root(0).child(id);
        zfs.createDataset(ds, DatasetProperties.create());
        try (TransportClient c = client()) {
            TransportClient.PullResult<Snapshot> r = c.pull(id.uuid(), OptionalLong.empty(),
                    h -> receiveInto(cluster.clientRoot().child(id)));
            assertThat(r.header().snapshot().name()).startsWith("zproj-");
        }
        assertThat(zfs.listSnapshots(ds)).hasSize(1);
    }

    @Test
    void create_withQuota_thenAgain_isExists() throws Exception {
        ProjectId id = ProjectId.random();
        try (TransportClient c = client()) {
            assertThat(c.create(id.uuid(), 50L << 20).snapshot().name()).startsWith("zproj-");
            assertThat(c.info(id.uuid()).quotaBytes()).isEqualTo(50L << 20);
            assertThatThrownBy(() -> c.create(id.uuid(), 0)).isInstanceOf(RemoteException.class)
                    .satisfies(e -> assertThat(((RemoteException) e).code()).isEqualTo(ErrorCode.EXISTS));
        }
        DatasetName ds = cluster.root(0).child(id);
        assertThat(zfs.getProperty(ds, "canmount")).isEqualTo("noauto");
        assertThat(zfs.isMounted(ds)).isFalse();
    }

    @Test
    void receive_incremental_isAcked_recordsTheWriter_andKeepsTheQuota() throws Exception {
        ProjectId id = ProjectId.random();
        DatasetName remote = cluster.root(0).child(id);
        DatasetName local = cluster.clientRoot().child(id);
        try (TransportClient c = client()) {
            c.create(id.uuid(), 80L << 20);
            Snapshot base = c.pull(id.uuid(), OptionalLong.empty(), h -> receiveInto(local)).value();
            Snapshot next = change(local, "work.txt", "written on the client", "zproj-20261124T120000Z");
            TransportClient.PushResult r = c.push(new StreamHeader(id.uuid(), entry(next), Optional.of(entry(base))),
                    sendOf(next, Optional.of(base)));
            assertThat(r.ack().snapshot().guid()).isEqualTo(next.guid());
        }
        assertThat(zfs.newestSnapshot(remote).orElseThrow().guid()).isEqualTo(next(local).guid());
        assertThat(zfs.quota(remote)).hasValue(80L << 20);
        assertThat(zfs.isMounted(remote)).isFalse();
        ReplicaServer.WriteBack wb = cluster.server(0).lastWriteBack(id).orElseThrow();
        assertThat(wb.writer()).startsWith("it-client@");
        assertThat(wb.snapshot().guid()).isEqualTo(next(local).guid());
    }

    private static Snapshot next(DatasetName ds) throws ZfsException {
        return zfs.newestSnapshot(ds).orElseThrow();
    }

    @Test
    void receive_onStaleBase_isDiverged_withBothHeads_andNothingChanged() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("f"), "v1"), 0);
        DatasetName remote = cluster.root(0).child(id);
        DatasetName local = cluster.clientRoot().child(id);
        Snapshot base = cluster.replicate(next(remote), Optional.empty(), local);
        Snapshot serverMoved = change(remote, "f", "changed on the server", "server-side");
        Snapshot clientMoved = change(local, "f", "changed on the client", "client-side");
        List<Snapshot> before = zfs.listSnapshots(remote);
        try (TransportClient c = client()) {
            assertThatThrownBy(() -> c.push(new StreamHeader(id.uuid(), entry(clientMoved), Optional.of(entry(base))),
                    sendOf(clientMoved, Optional.of(base))))
                    .isInstanceOf(RemoteException.class)
                    .hasMessageContaining("DIVERGED")
                    .hasMessageContaining("@" + serverMoved.name().name())
                    .hasMessageContaining("@" + base.name().name());
            assertThatThrownBy(() -> c.push(new StreamHeader(id.uuid(), entry(clientMoved), Optional.empty()),
                    sendOf(clientMoved, Optional.empty())))
                    .isInstanceOf(RemoteException.class).hasMessageContaining("DIVERGED")
                    .hasMessageContaining("a full stream would overwrite it");
        }
        assertThat(zfs.listSnapshots(remote)).isEqualTo(before);
        Path mnt = cluster.mount(remote);
        assertThat(Files.readString(mnt.resolve("f"))).isEqualTo("changed on the server");
        zfs.unmount(remote);
    }

    @Test
    void catalog_deleted_isRebuiltFromZfs_andKeptAcrossRestarts() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("x"), "x"), 0);
        cluster.server(0).rescan(); // made with zfs directly: the catalog learns of it on its next rescan
        List<ProjectEntry> before;
        try (TransportClient c = client()) {
            before = c.list();
        }
        assertThat(before).extracting(ProjectEntry::id).contains(id.uuid());
        cluster.stop(0);
        TestPool.deleteTree(cluster.pool().dir().resolve("state-srv0"));
        cluster.restart(0);
        try (TransportClient c = client()) {
            assertThat(c.list()).isEqualTo(before);
        }
    }

    @Test
    void shutdown_duringReceive_abortsIt_leavingNothing() throws Exception {
        ProjectId source = cluster.seed(dir -> Trees.populate(dir, 9, 50, 40 << 20), 0);
        Snapshot snap = next(cluster.root(0).child(source));
        ProjectId fresh = ProjectId.random();
        StreamSource slow = slowly(sendOf(snap, Optional.empty()));
        Thread pusher = new Thread(() -> {
            try (TransportClient c = client()) {
                c.push(new StreamHeader(fresh.uuid(), entry(snap), Optional.empty()), slow);
            } catch (IOException e) {
                // expected: the server goes away
            }
        });
        pusher.start();
        while (cluster.server(0).lastWriteBack(fresh).isEmpty() && !zfs.exists(cluster.root(0).child(fresh))) {
            Thread.sleep(20);
        }
        cluster.stop(0); // closes connections, aborts the receive, waits for it
        pusher.join();
        assertThat(zfs.exists(cluster.root(0).child(fresh))).isFalse();
        cluster.restart(0);
    }

    /** A source that pauses between reads, so a test can act mid-stream. */
    private static StreamSource slowly(StreamSource s) {
        return new StreamSource() {
            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return s.read(buf, off, Math.min(len, 64 << 10));
            }

            @Override
            public void finish() throws IOException {
                s.finish();
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    /** A ping's free bytes are read from ZFS at most every few seconds (a ping is on every fault-in's path). */
    @Test
    void ping_reportsTheRootsFreeBytes_readAgainInTheBackgroundEveryFewSeconds() throws Exception {
        DatasetName root = cluster.pool().dataset("free-srv");
        zfs.createDataset(root, DatasetProperties.create());
        MutableClock clock = new MutableClock();
        ServerConfig config = ServerConfig.of(root, new InetSocketAddress("127.0.0.1", 0)).withName("free")
                .withStateDir(cluster.pool().dir().resolve("free-state"));
        try (ReplicaServer server = ReplicaServer.start(zfs, cluster.transport(), config, clock);
                TransportClient c = cluster.transport().connect(server.address(), "pinger")) {
            long before = c.ping().load().freeBytes();
            assertThat(before).isEqualTo(zfs.availableBytes(root));
            zfs.setQuota(root, zfs.datasetInfo(root).used() + (8L << 20)); // far less room now
            assertThat(c.ping().load().freeBytes()).as("within the reuse period").isEqualTo(before);
            clock.advance(ReplicaServer.FREE_BYTES_TTL);
            assertThat(c.ping().load().freeBytes()).as("served while read again in the background").isEqualTo(before);
            long now = zfs.availableBytes(root);
            assertThat(now).isLessThanOrEqualTo(8L << 20);
            Await.within(10, "the new reading", () -> c.ping().load().freeBytes() == now);
        }
    }

    @Test
    void theSnapshotAPeerIsBasedOn_isHeld_survivesPruning_andIsLetGoWhenThePeerMovesOnOrStaysAway() throws Exception {
        DatasetName root = cluster.pool().dataset("holds-srv");
        DatasetName readerRoot = cluster.pool().dataset("holds-reader");
        DatasetName writerRoot = cluster.pool().dataset("holds-writer");
        for (DatasetName d : List.of(root, readerRoot, writerRoot)) {
            zfs.createDataset(d, DatasetProperties.create());
        }
        MutableClock clock = new MutableClock();
        ServerConfig config = ServerConfig.of(root, new InetSocketAddress("127.0.0.1", 0)).withName("holds")
                .withStateDir(cluster.pool().dir().resolve("holds-state")).withKeep(KeepPolicy.parse("all=1m"))
                .withHoldMaxAge(Duration.ofDays(1));
        try (ReplicaServer server = ReplicaServer.start(zfs, cluster.transport(), config, clock)) {
            ProjectId id = ProjectId.random();
            DatasetName ds = root.child(id);
            zfs.createDataset(ds, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
            Snapshot s1 = change(ds, "f", "v1", Snapshots.zprojName(clock)); // zproj names: the keep grid prunes only those
            server.rescan();
            DatasetName reader = readerRoot.child(id);
            DatasetName writer = writerRoot.child(id);
            Snapshot s3;
            Snapshot s4;
            try (TransportClient r = cluster.transport().connect(server.address(), "reader");
                    TransportClient w = cluster.transport().connect(server.address(), "writer")) {
                r.pull(id.uuid(), OptionalLong.empty(), h -> receiveInto(reader));
                w.pull(id.uuid(), OptionalLong.empty(), h -> receiveInto(writer));
                Snapshot w1 = next(writer); // s1, as the writer's copy names it
                // The writer pushes twice, two hours apart: all=1m would prune s1 and s2, but s1 is the reader's base.
                clock.advance(Duration.ofHours(2));
                Snapshot s2 = change(writer, "f", "v2", Snapshots.zprojName(clock));
                w.push(new StreamHeader(id.uuid(), entry(s2), Optional.of(entry(w1))), sendOf(s2, Optional.of(w1)));
                clock.advance(Duration.ofHours(2));
                s3 = change(writer, "f", "v3", Snapshots.zprojName(clock));
                w.push(new StreamHeader(id.uuid(), entry(s3), Optional.of(entry(s2))), sendOf(s3, Optional.of(s2)));
                assertThat(names(ds)).containsExactly(name(s1), name(s3));
                assertThatThrownBy(() -> zfs.destroySnapshot(s1.name())).isInstanceOf(DatasetBusyException.class);
                // The reader moves on to s3: it lets go of s1, which the next prune removes.
                r.pull(id.uuid(), OptionalLong.of(s1.guid()), h -> receiveInto(reader));
                clock.advance(Duration.ofHours(2));
                s4 = change(writer, "f", "v4", Snapshots.zprojName(clock));
                w.push(new StreamHeader(id.uuid(), entry(s4), Optional.of(entry(s3))), sendOf(s4, Optional.of(s3)));
                assertThat(names(ds)).containsExactly(name(s3), name(s4));
            }
            // Both peers stay away longer than the hold's age: their holds go, nothing else does.
            clock.advance(Duration.ofDays(2));
            assertThat(server.releaseStaleHolds()).isEqualTo(2);
            assertThat(server.releaseStaleHolds()).isZero();
            assertThat(names(ds)).containsExactly(name(s3), name(s4));
            assertThat(zfs.destroySnapshot(ds.snapshot(name(s3)))).isTrue(); // no longer held
        } // the pool goes with the cluster, holds and all
    }

    private static String name(Snapshot s) {
        return s.name().name();
    }

    private static List<String> names(DatasetName ds) throws ZfsException {
        return zfs.listSnapshots(ds).stream().map(s -> s.name().name()).toList();
    }

    @Test
    void aServerBringsItsPeersUpToDate_fullThenIncremental_andLeavesADivergedOneAsItIs() throws Exception {
        DatasetName rootA = cluster.pool().dataset("peers-a");
        DatasetName rootB = cluster.pool().dataset("peers-b");
        zfs.createDataset(rootA, DatasetProperties.create());
        zfs.createDataset(rootB, DatasetProperties.create());
        ProjectId id = ProjectId.random();
        DatasetName a = rootA.child(id);
        DatasetName b = rootB.child(id);
        zfs.createDataset(a, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
        change(a, "f", "v1", Snapshots.zprojName(java.time.Clock.systemUTC()));
        ServerConfig configB = ServerConfig.of(rootB, new InetSocketAddress("127.0.0.1", 0)).withName("peer-b")
                .withStateDir(cluster.pool().dir().resolve("peers-b-state"));
        try (ReplicaServer serverB = ReplicaServer.start(zfs, cluster.transport(), configB, java.time.Clock.systemUTC());
                ReplicaServer serverA = ReplicaServer.start(zfs, cluster.transport(),
                        ServerConfig.of(rootA, new InetSocketAddress("127.0.0.1", 0)).withName("peer-a")
                                .withStateDir(cluster.pool().dir().resolve("peers-a-state"))
                                .withPeers(List.of(serverB.address())).withCopies(2), java.time.Clock.systemUTC())) {
            ReplicaServer.CatchUp first = serverA.catchUpPeers();
            assertThat(first.sent()).isEqualTo(1); // B lacked it: in full
            assertThat(first.underReplicated()).isEmpty(); // sent in this round: on both now
            assertThat(next(b).guid()).isEqualTo(next(a).guid());
            change(a, "f", "v2", "later");
            serverA.rescan();
            assertThat(serverA.catchUpPeers().sent()).isEqualTo(1); // B was behind: incrementally
            assertThat(next(b).guid()).isEqualTo(next(a).guid());
            assertThat(Files.readString(cluster.mount(b).resolve("f"))).isEqualTo("v2");
            zfs.unmount(b);
            assertThat(serverA.catchUpPeers().sent()).isZero(); // current: nothing
            Snapshot onlyOnB = change(b, "f", "v3 on b", "b-side");
            change(a, "f", "v3 on a", "a-side");
            serverA.rescan();
            serverB.rescan();
            ReplicaServer.CatchUp diverged = serverA.catchUpPeers();
            assertThat(diverged.sent()).isZero();
            assertThat(diverged.diverged()).isEqualTo(1);
            assertThat(next(b).guid()).isEqualTo(onlyOnB.guid());
            // B loses the project (an operator moved it away; its snapshots are held, so it cannot simply be
            // destroyed): it is sent again in full, and counts as held again at once.
            zfs.rename(b, rootB.child("moved-away-" + id));
            serverB.rescan();
            ReplicaServer.CatchUp lost = serverA.catchUpPeers();
            assertThat(lost.sent()).isEqualTo(1); // sent again in full
            assertThat(lost.underReplicated()).isEmpty();
        }
        // A replica whose only peer does not answer holds its projects alone: reported.
        ServerConfig lonely = ServerConfig.of(rootA, new InetSocketAddress("127.0.0.1", 0)).withName("lonely")
                .withStateDir(cluster.pool().dir().resolve("peers-lonely-state"))
                .withPeers(List.of(new InetSocketAddress("127.0.0.1", 1))).withCopies(2);
        try (ReplicaServer alone = ReplicaServer.start(zfs, cluster.transport(), lonely, java.time.Clock.systemUTC())) {
            ReplicaServer.CatchUp c = alone.catchUpPeers();
            assertThat(c.unreachable()).hasSize(1);
            assertThat(c.underReplicated()).singleElement().asString().contains(id.toString())
                    .contains("held by 1 of the 2").contains("did not answer");
        }
    }

    /** A peer that takes connections and never answers: a catch-up round waits on it; the rescans do not. */
    @Test
    void aPeerThatNeverAnswers_doesNotDelayTheRescans() throws Exception {
        DatasetName root = cluster.pool().dataset("silent-peer");
        zfs.createDataset(root, DatasetProperties.create());
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            ServerConfig config = ServerConfig.of(root, new InetSocketAddress("127.0.0.1", 0)).withName("silent")
                    .withStateDir(cluster.pool().dir().resolve("silent-state")).withRescan(Duration.ofSeconds(1))
                    .withPeers(List.of(new InetSocketAddress("127.0.0.1", silent.getLocalPort())));
            try (ReplicaServer server = ReplicaServer.start(zfs, cluster.transport(), config, java.time.Clock.systemUTC())) {
                silent.setSoTimeout(10_000);
                java.net.Socket held = silent.accept(); // the round is now waiting on this peer's answer
                try (held) {
                    ProjectId id = ProjectId.random();
                    zfs.createDataset(root.child(id), DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
                    io.zproj.zfs.testing.Await.within(5, "a rescan finds " + id + " while the catch-up waits",
                            () -> server.list().stream().anyMatch(p -> p.id().equals(id.uuid())));
                }
            }
        }
    }

    @Test
    void holdsPerProjectAreBounded_theLeastRecentlySeenPeerLetsGoFirst() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("f"), "v1"), 0);
        Snapshot head = next(cluster.root(0).child(id));
        int peers = ReplicaServer.MAX_HOLDS_PER_PROJECT + 1;
        for (int i = 0; i < peers; i++) { // each finds itself up to date at the head: based on it, held for it
            try (TransportClient c = cluster.transport().connect(cluster.address(0), "bounded-" + i)) {
                assertThatThrownBy(() -> c.pull(id.uuid(), OptionalLong.of(head.guid()), h -> receiveInto(
                        cluster.clientRoot().child(id)))).isInstanceOf(TransportClient.UpToDateException.class);
            }
        }
        assertThat(zfs.release(head.name(), ReplicaServer.holdTag("bounded-0"))).as("the first peer's hold").isFalse();
        for (int i = 1; i < peers; i++) {
            assertThat(zfs.release(head.name(), ReplicaServer.holdTag("bounded-" + i))).as("peer " + i).isTrue();
        }
    }
}
