package io.zproj.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zproj.server.testing.TestCluster;
import io.zproj.transport.StreamHeader;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Zfs;
import io.zproj.zfs.testing.Trees;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pull and push between a client root and two real replica servers on loopback, on real zfs-fuse. */
class ProjectTransfersIT {

    private static TestCluster cluster;
    private static Zfs zfs;
    private static ProjectTransfers transfers;

    @BeforeAll
    static void start() throws IOException {
        cluster = TestCluster.start(2, 1L << 30, io.zproj.transport.TransportConfig.defaults());
        zfs = cluster.zfs();
        transfers = new ProjectTransfers(zfs, cluster.transport(), "it-client");
    }

    @AfterAll
    static void stop() throws IOException {
        cluster.close();
    }

    @AfterEach
    void bothServersUp() throws IOException {
        for (int i = 0; i < 2; i++) {
            if (cluster.server(i) == null) {
                cluster.restart(i);
            }
        }
    }

    private static Map<String, String> tree(DatasetName ds) throws IOException {
        return cluster.tree(ds);
    }

    private static Snapshot change(DatasetName ds, String file, String text) throws IOException {
        Path mnt = cluster.mount(ds);
        Files.writeString(mnt.resolve(file), text);
        zfs.unmount(ds);
        return zfs.snapshot(ds.snapshot("change-" + System.nanoTime()));
    }

    @Test
    void pull_fullThenIncremental_isByteIdentical() throws Exception {
        ProjectId id = cluster.seed(dir -> Trees.populate(dir, 21, 200, 4 << 20), 0, 1);
        DatasetName local = cluster.clientRoot().child(id);

        ProjectTransfers.PullOutcome full = transfers.pull(id, cluster.clientRoot(), cluster.addresses(),
                TransferListener.NONE);
        assertThat(full.incremental()).isFalse();
        assertThat(full.stats().rawBytes()).isPositive();
        assertThat(tree(local)).isEqualTo(tree(cluster.root(0).child(id)));

        // both replicas move on (as a write-back to both would leave them)
        Snapshot s0 = change(cluster.root(0).child(id), "later.txt", "later");
        cluster.replicate(s0, zfs.listSnapshots(cluster.root(0).child(id)).stream().findFirst(),
                cluster.root(1).child(id));
        ProjectTransfers.PullOutcome inc = transfers.pull(id, cluster.clientRoot(), cluster.addresses(),
                TransferListener.NONE);
        assertThat(inc.incremental()).isTrue();
        assertThat(inc.stats().rawBytes()).isLessThan(full.stats().rawBytes() / 10);
        assertThat(inc.snapshot().guid()).isEqualTo(s0.guid());
        assertThat(tree(local)).isEqualTo(tree(cluster.root(0).child(id)));

        assertThat(transfers.pull(id, cluster.clientRoot(), cluster.addresses(), TransferListener.NONE).upToDate())
                .isTrue();
    }

    /** Names have millisecond resolution: two write-backs in a row make two snapshots, without waiting. */
    @Test
    void snapshotNow_twiceInARow_makesTwoSnapshots() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("v"), "1"), 0);
        DatasetName ds = cluster.root(0).child(id);
        List<Snapshot> afterFirst = transfers.snapshotNow(ds);
        Snapshot first = afterFirst.get(afterFirst.size() - 1);
        List<Snapshot> afterSecond = transfers.snapshotNow(ds);
        Snapshot second = afterSecond.get(afterSecond.size() - 1);
        assertThat(second.name()).isNotEqualTo(first.name());
        assertThat(afterSecond).hasSize(afterFirst.size() + 1).startsWith(afterFirst.toArray(new Snapshot[0]));
        assertThat(zfs.listSnapshots(ds)).extracting(Snapshot::name).contains(first.name(), second.name());
    }

    @Test
    void pull_choosesTheReplicaWithTheMostAdvancedHistory() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("v"), "1"), 0, 1);
        change(cluster.root(1).child(id), "v", "2 (only on srv1)");
        ProjectTransfers.PullOutcome r = transfers.pull(id, cluster.clientRoot(), cluster.addresses(),
                TransferListener.NONE);
        assertThat(r.server()).isEqualTo(cluster.address(1));
        assertThat(Files.readString(cluster.mount(cluster.clientRoot().child(id)).resolve("v")))
                .isEqualTo("2 (only on srv1)");
        zfs.unmount(cluster.clientRoot().child(id));
    }

    @Test
    void push_thenPullIntoAThirdRoot_isByteIdentical() throws Exception {
        ProjectId id = cluster.seed(dir -> Trees.populate(dir, 5, 60, 1 << 20), 0);
        DatasetName local = cluster.clientRoot().child(id);
        transfers.pull(id, cluster.clientRoot(), List.of(cluster.address(0)), TransferListener.NONE);
        Path mnt = cluster.mount(local);
        Files.writeString(mnt.resolve("written-on-the-client.txt"), "hello replicas");
        Files.delete(mnt.resolve("big.bin"));
        zfs.unmount(local);

        ProjectTransfers.PushOutcome pushed = transfers.push(id, cluster.clientRoot(), cluster.address(0),
                TransferListener.NONE);
        assertThat(pushed.incremental()).isTrue();
        assertThat(pushed.ack().snapshot().name()).startsWith("zproj-");
        // a full push to a replica that does not hold the project yet
        ProjectTransfers.PushOutcome first = transfers.push(id, cluster.clientRoot(), cluster.address(1),
                TransferListener.NONE);
        assertThat(first.incremental()).isFalse();

        DatasetName third = cluster.pool().dataset("third");
        zfs.createDataset(third, DatasetProperties.create());
        transfers.pull(id, third, List.of(cluster.address(1)), TransferListener.NONE);
        Map<String, String> expected = tree(local);
        assertThat(expected).containsKey("written-on-the-client.txt").doesNotContainKey("big.bin");
        assertThat(tree(third.child(id))).isEqualTo(expected);
        assertThat(tree(cluster.root(0).child(id))).isEqualTo(expected);
    }

    @Test
    void pull_oneReplicaDownBefore_failsOverToTheOther() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("f"), "data"), 0, 1);
        cluster.stop(0);
        ProjectTransfers.PullOutcome r = transfers.pull(id, cluster.clientRoot(), cluster.addresses(),
                TransferListener.NONE);
        assertThat(r.server()).isEqualTo(cluster.address(1));
    }

    @Test
    void pull_replicaDiesMidStream_failsOver_andLeavesNoPartialDataset() throws Exception {
        ProjectId id = cluster.seed(dir -> Trees.populate(dir, 8, 20, 64 << 20), 0, 1);
        AtomicBoolean killed = new AtomicBoolean();
        InetSocketAddress[] first = new InetSocketAddress[1];
        TransferListener killFirst = new TransferListener() {
            @Override
            public void started(InetSocketAddress server, StreamHeader header, long estimate) {
                if (first[0] == null) {
                    first[0] = server;
                }
            }

            @Override
            public void progress(long bytes) {
                if (bytes > 8 << 20 && killed.compareAndSet(false, true)) {
                    int i = cluster.addresses().indexOf(first[0]);
                    new Thread(() -> cluster.stop(i)).start();
                }
            }
        };
        ProjectTransfers.PullOutcome r = transfers.pull(id, cluster.clientRoot(), cluster.addresses(), killFirst);
        assertThat(killed).isTrue();
        assertThat(r.server()).isNotEqualTo(first[0]);
        assertThat(r.incremental()).isFalse();
        assertThat(tree(cluster.clientRoot().child(id))).isEqualTo(tree(cluster.root(0).child(id)));
    }

    /**
     * The best replica refuses the stream before it starts (BUSY: its one stream slot is taken):
     * the zfs receive started while it was asked is ended before the next replica is tried, and
     * the pull goes through from that one.
     */
    @Test
    void pull_bestReplicaRefusesTheStream_endsTheReceiveStartedForIt_andFailsOver() throws Exception {
        try (TestCluster busy = TestCluster.start(2, 512L << 20,
                io.zproj.transport.TransportConfig.defaults().withMaxStreams(1))) {
            ProjectId id = busy.seed(dir -> Trees.populate(dir, 5, 20, 64 << 20), 0, 1); // more than the buffers hold
            DatasetName onFirst = busy.root(0).child(id);
            Path mnt = busy.mount(onFirst);
            Files.writeString(mnt.resolve("later"), "only on the first");
            busy.zfs().unmount(onFirst);
            busy.zfs().snapshot(onFirst.snapshot("later"));
            busy.rescanAll(); // the first is the most advanced: asked first
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
            Thread holder = new Thread(() -> {
                try (io.zproj.transport.TransportClient c = busy.transport().connect(busy.address(0), "holder")) {
                    c.pull(id.uuid(), java.util.OptionalLong.empty(), h -> new io.zproj.transport.StreamSink<Long>() {
                        @Override
                        public void write(byte[] buf, int off, int len) throws IOException {
                            holding.countDown();
                            try {
                                release.await();
                            } catch (InterruptedException e) {
                                throw new IOException(e);
                            }
                        }

                        @Override
                        public Long complete(long totalBytes) {
                            return totalBytes;
                        }

                        @Override
                        public void abort(String reason) {}
                    });
                } catch (IOException e) {
                    // ends when released or cut
                }
            });
            holder.start();
            try {
                assertThat(holding.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                ProjectTransfers mine = new ProjectTransfers(busy.zfs(), busy.transport(), "it-client");
                ProjectTransfers.PullOutcome r = mine.pull(id, busy.clientRoot(), busy.addresses(), TransferListener.NONE);
                assertThat(r.server()).isEqualTo(busy.address(1));
                assertThat(r.snapshot().guid()).isEqualTo(busy.zfs().newestSnapshot(busy.root(1).child(id))
                        .orElseThrow().guid());
                assertThat(busy.tree(busy.clientRoot().child(id))).isEqualTo(busy.tree(busy.root(1).child(id)));
                assertThat(ProcessHandle.current().descendants().filter(p -> p.isAlive() && p.info().arguments()
                        .map(a -> List.of(a).contains("receive")).orElse(false)))
                        .as("no zfs receive left running").isEmpty();
            } finally {
                release.countDown();
                holder.join(30_000);
            }
        }
    }

    @Test
    void pull_noReplicaUp_saysWhyForEach_andCreatesNothing() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("f"), "x"), 0);
        cluster.stop(0);
        assertThatThrownBy(() -> transfers.pull(id, cluster.clientRoot(), cluster.addresses(), TransferListener.NONE))
                .isInstanceOf(NoReplicaException.class)
                .hasMessageContaining("cannot connect to")
                .hasMessageContaining("does not hold " + id)
                .satisfies(e -> assertThat(((NoReplicaException) e).reasons()).hasSize(2));
        assertThat(zfs.exists(cluster.clientRoot().child(id))).isFalse();
    }

    /**
     * A write-back offers the stream from the replica's last ack without asking first; when that
     * is no longer the replica's head, the push asks and still goes through from the real head,
     * and a replica that diverged meanwhile is still reported as diverged with its head.
     */
    @Test
    void pushNewest_fromAStaleLastAck_asksTheReplica_andGoesOnFromItsHead() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("f"), "v1"), 0);
        DatasetName local = cluster.clientRoot().child(id);
        DatasetName remote = cluster.root(0).child(id);
        transfers.pull(id, cluster.clientRoot(), List.of(cluster.address(0)), TransferListener.NONE);
        Snapshot seeded = zfs.newestSnapshot(local).orElseThrow();
        change(local, "f", "v2");
        transfers.pushNewest(id, cluster.clientRoot(), cluster.address(0), TransferListener.NONE);
        change(local, "f", "v3");

        List<StreamHeader> started = new ArrayList<>();
        TransferListener starts = new TransferListener() {
            @Override
            public void started(InetSocketAddress server, StreamHeader header, long estimate) {
                started.add(header);
            }
        };
        ProjectTransfers.PushOutcome out = transfers.pushNewest(id, zfs.listSnapshots(local), cluster.address(0),
                starts, Optional.of(ProjectTransfers.entry(seeded)));
        assertThat(out.incremental()).isTrue();
        assertThat(started).as("told of the stream that went, not of the one refused").hasSize(1)
                .allSatisfy(h -> assertThat(h.base().map(b -> b.guid())).isNotEqualTo(Optional.of(seeded.guid())));
        assertThat(zfs.newestSnapshot(remote).orElseThrow().guid()).isEqualTo(zfs.newestSnapshot(local).orElseThrow().guid());
        assertThat(tree(remote)).isEqualTo(tree(local));

        change(local, "f", "v4"); // and now the right last ack: offered at once
        out = transfers.pushNewest(id, zfs.listSnapshots(local), cluster.address(0), TransferListener.NONE,
                Optional.of(out.ack().snapshot()));
        assertThat(out.incremental()).isTrue();
        assertThat(tree(remote)).isEqualTo(tree(local));

        Snapshot acked = zfs.newestSnapshot(local).orElseThrow();
        Snapshot serverHead = change(remote, "f", "changed on the replica");
        change(local, "f", "changed on the client");
        List<Snapshot> remoteBefore = zfs.listSnapshots(remote);
        assertThatThrownBy(() -> transfers.pushNewest(id, zfs.listSnapshots(local), cluster.address(0),
                TransferListener.NONE, Optional.of(ProjectTransfers.entry(acked))))
                .isInstanceOf(DivergedException.class)
                .hasMessageContaining("@" + serverHead.name().name());
        assertThat(zfs.listSnapshots(remote)).isEqualTo(remoteBefore);
    }

    /**
     * An error that comes after the stream (here: the replica's live data changed since its newest
     * snapshot, so its {@code zfs receive} refuses) is not a refusal of the offer: it is reported
     * as it is (diverged), not turned into a failure of the closed connection.
     */
    @Test
    void pushNewest_fromTheRightLastAck_ontoAReplicaChangedSinceItsSnapshot_isDiverged() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("f"), "v1"), 0);
        DatasetName local = cluster.clientRoot().child(id);
        DatasetName remote = cluster.root(0).child(id);
        transfers.pull(id, cluster.clientRoot(), List.of(cluster.address(0)), TransferListener.NONE);
        Snapshot acked = zfs.newestSnapshot(local).orElseThrow();
        Path remoteMnt = cluster.mount(remote);
        Files.writeString(remoteMnt.resolve("unsnapshotted"), "written on the replica, no snapshot");
        zfs.unmount(remote);
        change(local, "f", "v2");
        List<Snapshot> remoteBefore = zfs.listSnapshots(remote);

        assertThatThrownBy(() -> transfers.pushNewest(id, zfs.listSnapshots(local), cluster.address(0),
                TransferListener.NONE, Optional.of(ProjectTransfers.entry(acked))))
                .isInstanceOf(DivergedException.class);
        assertThat(zfs.listSnapshots(remote)).isEqualTo(remoteBefore);
    }

    @Test
    void push_whenTheReplicaMovedOn_isDiverged_andChangesNothing() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("f"), "v1"), 0);
        DatasetName local = cluster.clientRoot().child(id);
        DatasetName remote = cluster.root(0).child(id);
        transfers.pull(id, cluster.clientRoot(), List.of(cluster.address(0)), TransferListener.NONE);
        Snapshot serverHead = change(remote, "f", "changed on the replica");
        Path mnt = cluster.mount(local);
        Files.writeString(mnt.resolve("f"), "changed on the client");
        zfs.unmount(local);
        List<Snapshot> localBefore = zfs.listSnapshots(local);
        List<Snapshot> remoteBefore = zfs.listSnapshots(remote);

        assertThatThrownBy(() -> transfers.push(id, cluster.clientRoot(), cluster.address(0), TransferListener.NONE))
                .isInstanceOf(DivergedException.class)
                .hasMessageContaining("@" + serverHead.name().name())
                .hasMessageContaining("nothing was pushed");
        assertThat(zfs.listSnapshots(local)).isEqualTo(localBefore);
        assertThat(zfs.listSnapshots(remote)).isEqualTo(remoteBefore);
        assertThat(Files.readString(cluster.mount(local).resolve("f"))).isEqualTo("changed on the client");
        zfs.unmount(local);

        assertThatThrownBy(() -> transfers.pull(id, cluster.clientRoot(), List.of(cluster.address(0)),
                TransferListener.NONE)).isInstanceOfAny(DivergedException.class, io.zproj.zfs.ZfsException.class);
        assertThat(Files.readString(cluster.mount(local).resolve("f"))).isEqualTo("changed on the client");
        zfs.unmount(local);
    }

    @Test
    void pull_intoAForeignLocalCopy_isRefused() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("f"), "x"), 0);
        DatasetName local = cluster.clientRoot().child(id);
        zfs.createDataset(local, DatasetProperties.create());
        zfs.snapshot(local.snapshot("unrelated"));
        assertThatThrownBy(() -> transfers.pull(id, cluster.clientRoot(), List.of(cluster.address(0)),
                TransferListener.NONE)).isInstanceOf(DivergedException.class).hasMessageContaining("no snapshot in common").hasMessageContaining("@unrelated");
        assertThat(zfs.listSnapshots(local)).extracting(s -> s.name().name()).containsExactly("unrelated");
    }

    @Test
    void push_withoutLocalCopy_saysSo() {
        assertThatThrownBy(() -> transfers.push(ProjectId.random(), cluster.clientRoot(), cluster.address(0),
                TransferListener.NONE)).isInstanceOf(CacheException.class).hasMessageContaining("no local copy");
    }

    @Test
    void pull_thatDoesNotFit_failsAtOnceNamingBothSizes_afterAskingForRoom_andWorksOnceThereIsRoom() throws Exception {
        ProjectId id = cluster.seed(dir -> Trees.populate(dir, 7, 4, 4 << 20), 0); // about 16 MiB of data
        DatasetName small = cluster.pool().dataset("small-client");
        zfs.createDataset(small, DatasetProperties.create());
        zfs.setQuota(small, 4L << 20);
        List<Long> asked = new ArrayList<>();
        ProjectTransfers limited = new ProjectTransfers(zfs, cluster.transport(), "it-small");
        limited.onShortOfSpace((p, bytes) -> {
            asked.add(bytes);
            return 0; // nothing can be evicted
        });
        assertThatThrownBy(() -> limited.pull(id, small, List.of(cluster.address(0)), TransferListener.NONE))
                .isInstanceOf(io.zproj.zfs.OutOfSpaceException.class)
                .hasMessageContaining("cannot fetch " + id).hasMessageContaining("MiB")
                .hasMessageContaining("nothing could be evicted").hasMessageContaining("nothing was fetched");
        assertThat(asked).singleElement().satisfies(b -> assertThat(b).isPositive());
        assertThat(zfs.exists(small.child(id))).isFalse();
        // Room is made (as eviction would, here by lifting the quota): the same pull goes through.
        limited.onShortOfSpace((p, bytes) -> {
            try {
                zfs.setQuota(small, 0);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return bytes;
        });
        ProjectTransfers.PullOutcome r = limited.pull(id, small, List.of(cluster.address(0)), TransferListener.NONE);
        assertThat(r.upToDate()).isFalse();
        assertThat(tree(small.child(id))).isEqualTo(tree(cluster.root(0).child(id)));
    }

    @Test
    void replicate_fullThenIncrementalThenNothing_andADivergedCopyIsLeftAsItIs() throws Exception {
        ProjectId id = cluster.seed(dir -> Trees.populate(dir, 11, 20, 1 << 20), 0);
        DatasetName src = cluster.root(0).child(id);
        DatasetName dst = cluster.root(1).child(id);
        Replication between = new Replication(cluster.transport(), "it-operator");
        Replication.ReplicateOutcome full = between.replicate(id, cluster.address(0), cluster.address(1),
                TransferListener.NONE);
        assertThat(full.upToDate()).isFalse();
        assertThat(full.incremental()).isFalse();
        assertThat(tree(dst)).isEqualTo(tree(src));
        change(src, "v", "2 (on srv0)");
        cluster.rescanAll();
        Replication.ReplicateOutcome inc = between.replicate(id, cluster.address(0), cluster.address(1),
                TransferListener.NONE);
        assertThat(inc.incremental()).isTrue();
        assertThat(zfs.newestSnapshot(dst).orElseThrow().guid()).isEqualTo(zfs.newestSnapshot(src).orElseThrow().guid());
        assertThat(tree(dst)).isEqualTo(tree(src));
        assertThat(between.replicate(id, cluster.address(0), cluster.address(1), TransferListener.NONE).upToDate())
                .isTrue();
        // Both move on: nothing is sent either way, and both keep what they have.
        Snapshot onlyHere = change(dst, "v", "3 (on srv1)");
        change(src, "v", "3 (on srv0)");
        cluster.rescanAll();
        assertThatThrownBy(() -> between.replicate(id, cluster.address(0), cluster.address(1), TransferListener.NONE))
                .isInstanceOf(DivergedException.class).hasMessageContaining("have diverged")
                .hasMessageContaining("nothing was sent");
        assertThat(zfs.newestSnapshot(dst).orElseThrow().guid()).isEqualTo(onlyHere.guid());
    }

    @Test
    void pull_skipsAReplicaThatDivergedFromTheLocalCopy_andSaysWhichInItsOutcome() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("v"), "1"), 0, 1);
        transfers.pull(id, cluster.clientRoot(), List.of(cluster.address(0)), TransferListener.NONE);
        DatasetName local = cluster.clientRoot().child(id);
        change(local, "v", "2 (local, not yet written back)");
        change(cluster.root(1).child(id), "v", "2 (on srv1 only)"); // srv1 went its own way from the shared base
        cluster.rescanAll();
        // srv1 ranks first (its history holds srv0's head), has diverged from the local copy, and is skipped;
        // srv0 is behind the local copy: nothing to fetch.
        ProjectTransfers.PullOutcome r = transfers.pull(id, cluster.clientRoot(), cluster.addresses(),
                TransferListener.NONE);
        assertThat(r.upToDate()).isTrue();
        assertThat(r.server()).isEqualTo(cluster.address(0));
        assertThat(r.diverged()).singleElement().satisfies(skip -> {
            assertThat(skip.server()).isEqualTo(cluster.address(1));
            assertThat(skip.why()).contains("both moved on from");
        });
        assertThat(Files.readString(cluster.mount(local).resolve("v"))).isEqualTo("2 (local, not yet written back)");
        zfs.unmount(local);
    }

    @Test
    void push_toAFullReplica_isATemporaryNoSpace_leavesItAsItWas_andGoesThroughOnceThereIsRoom() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("v"), "1"), 0, 1);
        transfers.pull(id, cluster.clientRoot(), List.of(cluster.address(0)), TransferListener.NONE);
        DatasetName local = cluster.clientRoot().child(id);
        Path m = cluster.mount(local);
        Trees.populate(m.resolve("big"), 5, 8, 2 << 20); // about 16 MiB of incompressible data
        zfs.unmount(local);
        DatasetName remote = cluster.root(1).child(id);
        long before = zfs.newestSnapshot(remote).orElseThrow().guid();
        zfs.setQuota(cluster.root(1), zfs.datasetInfo(cluster.root(1)).used() + (2 << 20)); // srv1's pool is full
        try {
            Throwable full = org.assertj.core.api.Assertions.catchThrowable(
                    () -> transfers.push(id, cluster.clientRoot(), cluster.address(1), TransferListener.NONE));
            assertThat(full).isInstanceOf(io.zproj.transport.RemoteException.class);
            assertThat(((io.zproj.transport.RemoteException) full).code()).isEqualTo(io.zproj.transport.ErrorCode.NO_SPACE);
            assertThat(Outcome.of(full)).isEqualTo(Outcome.TEMPORARY);
            assertThat(zfs.newestSnapshot(remote).orElseThrow().guid()).isEqualTo(before); // nothing partial
        } finally {
            zfs.setQuota(cluster.root(1), 0);
        }
        ProjectTransfers.PushOutcome r = transfers.pushNewest(id, cluster.clientRoot(), cluster.address(1),
                TransferListener.NONE);
        assertThat(r.incremental()).isTrue();
        assertThat(tree(remote)).isEqualTo(tree(local));
    }

    @Test
    void aReplicaRolledBackToAnOldCopy_catchesUpIncrementally_andIsNotPreferred() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("v"), "1"), 0, 1);
        DatasetName src = cluster.root(0).child(id);
        DatasetName old = cluster.root(1).child(id);
        change(src, "v", "2");
        change(src, "v", "3");
        cluster.rescanAll(); // srv1 is at the first snapshot, as if restored from an old backup
        ProjectTransfers.PullOutcome pulled = transfers.pull(id, cluster.clientRoot(), cluster.addresses(),
                TransferListener.NONE);
        assertThat(pulled.server()).isEqualTo(cluster.address(0)); // the advanced history wins
        Replication.ReplicateOutcome caughtUp = new Replication(cluster.transport(), "it-op")
                .replicate(id, cluster.address(0), cluster.address(1), TransferListener.NONE);
        assertThat(caughtUp.incremental()).isTrue();
        assertThat(zfs.newestSnapshot(old).orElseThrow().guid()).isEqualTo(zfs.newestSnapshot(src).orElseThrow().guid());
    }
}
