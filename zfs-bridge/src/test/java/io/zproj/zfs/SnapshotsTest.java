package io.zproj.zfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotsTest {

    private static final DatasetName DS = DatasetName.of("tank/p");

    private static Snapshot snap(String name, long guid, long txg) {
        return new Snapshot(DS.snapshot(name), guid, txg, Instant.ofEpochSecond(txg));
    }

    @Test
    void zprojName_isUtcIsoBasicToTheMillisecond() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-24T10:15:00.789Z"), ZoneOffset.ofHours(5));
        assertThat(Snapshots.zprojName(clock)).isEqualTo("zproj-20261124T101500.789Z");
    }

    @Test
    void setAsideName_isNotAProjectId_andCarriesTheTime() {
        ProjectId id = ProjectId.parse("0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69");
        String name = Snapshots.setAsideName(id, Clock.fixed(Instant.parse("2026-11-24T10:15:00Z"), ZoneOffset.UTC));
        assertThat(name).isEqualTo("0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69-conflict-20261124T101500Z");
        assertThat(ProjectId.isValid(name)).isFalse();
        assertThat(DatasetName.of("tank").child(name).leaf()).isEqualTo(name);
    }

    @Test
    void zprojTime_ofOwnName_roundTrips() {
        Instant t = Instant.parse("2026-01-02T03:04:05.006Z");
        assertThat(Snapshots.zprojTime(Snapshots.zprojName(t))).contains(t);
        assertThat(Snapshots.isZprojName("zproj-20261124T101500.123Z")).isTrue();
        // names of earlier versions, to the second, stay zproj's (pruned by their time)
        assertThat(Snapshots.zprojTime("zproj-20261124T101500Z")).contains(Instant.parse("2026-11-24T10:15:00Z"));
    }

    @Test
    void isZprojName_foreignNames_isFalse() {
        assertThat(Snapshots.isZprojName("2013-12-18T18:23:22")).isFalse();
        assertThat(Snapshots.isZprojName("zproj-20261399T101500Z")).isFalse();
        assertThat(Snapshots.isZprojName("zproj-20261124T101500")).isFalse();
        assertThat(Snapshots.isZprojName("zproj-20261124T101500.12Z")).isFalse();
        assertThat(Snapshots.isZprojName("zproj-manual")).isFalse();
    }

    @Test
    void newestCommon_sharedGuids_returnsNewestOfOurs() {
        List<Snapshot> ours = List.of(snap("a", 1, 10), snap("b", 2, 20), snap("c", 3, 30));
        List<Snapshot> theirs = List.of(snap("x", 2, 5), snap("y", 1, 4), snap("z", 9, 6));
        assertThat(Snapshots.newestCommon(ours, theirs)).map(s -> s.name().name()).contains("b");
    }

    @Test
    void newestCommon_sameNameDifferentGuid_isNotCommon() {
        List<Snapshot> ours = List.of(snap("a", 1, 10));
        List<Snapshot> theirs = List.of(snap("a", 7, 10));
        assertThat(Snapshots.newestCommon(ours, theirs)).isEmpty();
    }

    @Test
    void newestCommon_emptySide_isEmpty() {
        assertThat(Snapshots.newestCommon(List.of(), List.of(snap("a", 1, 1)))).isEmpty();
        assertThat(Snapshots.newestCommon(List.of(snap("a", 1, 1)), List.of())).isEmpty();
    }

    @Test
    void guidText_isUnsigned() {
        Snapshot s = snap("a", Long.parseUnsignedLong("18028533186007577926"), 1);
        assertThat(s.guidText()).isEqualTo("18028533186007577926");
        assertThat(Snapshots.byGuid(List.of(s), s.guid())).contains(s);
    }
}
