package io.zproj.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zproj.zfs.testing.TestPool;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Snapshots on a real zfs-fuse pool: zproj names, GUIDs, order, destroy, newest common. */
class SnapshotIT {

    private static TestPool pool;
    private static Zfs zfs;

    @BeforeAll
    static void createPool() throws IOException {
        pool = TestPool.create(128L << 20);
        zfs = pool.bridge();
    }

    @AfterAll
    static void destroyPool() throws IOException {
        pool.close();
    }

    @Test
    void snapshot_zprojName_isTakenAndListedWithGuidTxgAndTime() throws Exception {
        DatasetName ds = pool.dataset("named");
        zfs.createDataset(ds, DatasetProperties.create());
        Instant now = Instant.parse("2026-11-24T10:15:00Z");
        try (Zfs fixed = Zfs.open(ZfsConfig.defaults().withClock(Clock.fixed(now, ZoneOffset.UTC)))) {
            Snapshot s = fixed.snapshot(ds);
            assertThat(s.name().name()).isEqualTo("zproj-20261124T101500.000Z");
            assertThat(s.guid()).isNotZero();
            assertThat(s.createTxg()).isPositive();
            assertThat(s.creation()).isBetween(Instant.now().minusSeconds(120), Instant.now().plusSeconds(5));
            assertThatThrownBy(() -> fixed.snapshot(ds)).isInstanceOf(DatasetExistsException.class);
            assertThat(zfs.listSnapshots(ds)).containsExactly(s);
        }
    }

    @Test
    void listSnapshots_sortedByTxg_includingForeignNames() throws Exception {
        DatasetName ds = pool.dataset("order");
        zfs.createDataset(ds, DatasetProperties.create());
        zfs.createDataset(ds.child("child"), DatasetProperties.create());
        Snapshot a = zfs.snapshot(ds.snapshot("zz-first"));
        Snapshot b = zfs.snapshot(ds.snapshot("2013-12-18T18:23:22"));
        Snapshot c = zfs.snapshot(ds.snapshot("aa-last"));
        zfs.snapshot(ds.child("child").snapshot("not-mine"));
        List<Snapshot> list = zfs.listSnapshots(ds);
        assertThat(list).containsExactly(a, b, c);
        assertThat(list).extracting(Snapshot::guid).doesNotHaveDuplicates();
        assertThat(zfs.newestSnapshot(ds)).contains(c);
    }

    /**
     * Change detection at once, without waiting for zfs-fuse's transaction group timeout (30 s):
     * a file written just before the question is seen, in the whole-parent answer and the
     * one-child answer alike; a snapshot takes the change; a child without a snapshot is changed.
     */
    @Test
    void changedChildren_andChildChanged_seeAChangeMadeJustBefore() throws Exception {
        DatasetName root = pool.dataset("changes");
        zfs.createDataset(root, DatasetProperties.create().canmount(DatasetProperties.CanMount.OFF));
        DatasetName a = root.child("a");
        DatasetName b = root.child("b");
        DatasetName fresh = root.child("fresh");
        for (DatasetName d : List.of(a, b, fresh)) {
            zfs.createDataset(d, DatasetProperties.create().mountpoint(pool.dir().resolve("changes-" + d.leaf())));
        }
        java.nio.file.Files.writeString(pool.dir().resolve("changes-a/before"), "1");
        zfs.snapshot(a);
        zfs.snapshot(b);
        assertThat(zfs.changedChildren(root)).containsExactly(fresh);
        assertThat(zfs.childChanged(root, a)).isFalse();

        java.nio.file.Files.writeString(pool.dir().resolve("changes-a/after"), "2");
        assertThat(zfs.changedChildren(root)).containsExactlyInAnyOrder(a, fresh);
        assertThat(zfs.childChanged(root, a)).isTrue();
        assertThat(zfs.childChanged(root, b)).isFalse();
        assertThat(zfs.childChanged(root, fresh)).isTrue();

        List<Snapshot> after = zfs.snapshotAndList(a);
        assertThat(after).hasSize(2);
        assertThat(zfs.newestSnapshot(a)).contains(after.get(1));
        assertThat(zfs.childChanged(root, a)).isFalse();
        assertThat(zfs.changedChildren(root)).containsExactly(fresh);
        assertThatThrownBy(() -> zfs.childChanged(root, a.child("x"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listChildSnapshots_allChildrenInOneCall() throws Exception {
        DatasetName root = pool.dataset("many");
        zfs.createDataset(root, DatasetProperties.create());
        zfs.snapshot(root.snapshot("of-the-root-itself"));
        DatasetName a = root.child("a");
        DatasetName b = root.child("b");
        DatasetName empty = root.child("c");
        for (DatasetName d : List.of(a, b, empty)) {
            zfs.createDataset(d, DatasetProperties.create());
        }
        zfs.createDataset(a.child("grandchild"), DatasetProperties.create());
        zfs.snapshot(a.child("grandchild").snapshot("deep"));
        Snapshot a1 = zfs.snapshot(a.snapshot("one"));
        Snapshot b1 = zfs.snapshot(b.snapshot("x"));
        Snapshot a2 = zfs.snapshot(a.snapshot("two"));

        java.util.Map<DatasetName, List<Snapshot>> all = zfs.listChildSnapshots(root);
        assertThat(all).containsOnlyKeys(a, b, empty);
        assertThat(all.get(a)).containsExactly(a1, a2);
        assertThat(all.get(b)).containsExactly(b1);
        assertThat(all.get(empty)).isEmpty();
        assertThat(all.get(a)).isEqualTo(zfs.listSnapshots(a));
    }

    @Test
    void prune_onRealSnapshots_keepsWhatThePolicySays() throws Exception {
        DatasetName ds = pool.dataset("pruned");
        zfs.createDataset(ds, DatasetProperties.create());
        Instant now = Instant.now();
        Snapshot veryOld = zfs.snapshot(ds.snapshot(Snapshots.zprojName(now.minus(java.time.Duration.ofDays(90)))));
        Snapshot oldProtected = zfs.snapshot(ds.snapshot(Snapshots.zprojName(now.minus(java.time.Duration.ofDays(80)))));
        Snapshot foreign = zfs.snapshot(ds.snapshot("2013-12-18T18:23:22"));
        Snapshot sameDayOlder = zfs.snapshot(ds.snapshot(Snapshots.zprojName(
                now.minus(java.time.Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                        .plusSeconds(3600))));
        Snapshot sameDayNewer = zfs.snapshot(ds.snapshot(Snapshots.zprojName(
                now.minus(java.time.Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                        .plusSeconds(7200))));
        Snapshot recent = zfs.snapshot(ds.snapshot(Snapshots.zprojName(now.minusSeconds(60))));

        List<Snapshot> destroyed = zfs.prune(ds, KeepPolicy.DEFAULT, now, java.util.Set.of(oldProtected.guid()), false);
        assertThat(destroyed).containsExactly(veryOld, sameDayOlder);
        assertThat(zfs.listSnapshots(ds)).containsExactly(oldProtected, foreign, sameDayNewer, recent);
    }

    @Test
    void destroySnapshot_isIdempotent() throws Exception {
        DatasetName ds = pool.dataset("destroy");
        zfs.createDataset(ds, DatasetProperties.create());
        Snapshot s = zfs.snapshot(ds.snapshot("one"));
        assertThat(zfs.destroySnapshot(s.name())).isTrue();
        assertThat(zfs.destroySnapshot(s.name())).isFalse();
        assertThat(zfs.listSnapshots(ds)).isEmpty();
        assertThat(zfs.newestSnapshot(ds)).isEmpty();
    }

    @Test
    void listSnapshots_missingDataset_isNotFound() {
        assertThatThrownBy(() -> zfs.listSnapshots(pool.dataset("nope"))).isInstanceOf(DatasetNotFoundException.class);
    }
}
