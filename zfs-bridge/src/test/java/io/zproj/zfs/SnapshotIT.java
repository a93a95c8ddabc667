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
