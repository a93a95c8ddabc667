package io.zproj.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zproj.zfs.testing.TestPool;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Datasets, properties, quotas and mounts on a real zfs-fuse pool. */
class DatasetIT {

    private static TestPool pool;
    private static Zfs zfs;

    @BeforeAll
    static void createPool() throws IOException {
        pool = TestPool.create(256L << 20);
        zfs = pool.bridge();
    }

    @AfterAll
    static void destroyPool() throws IOException {
        pool.close();
    }

    @Test
    void createDataset_withProperties_hasExactValues() throws Exception {
        DatasetName ds = pool.dataset("props");
        Path mnt = pool.dir().resolve("props-mnt");
        zfs.createDataset(ds, DatasetProperties.create().compression("lz4").quota(10L << 20).atime(false)
                .snapdirVisible(false).canmount(DatasetProperties.CanMount.NOAUTO).mountpoint(mnt));
        Map<String, String> p = zfs.getProperties(ds,
                List.of("compression", "quota", "atime", "snapdir", "canmount", "mountpoint", "mounted"));
        String expectedCompression = zfs.capabilities().lz4Compression() ? "lz4" : "on";
        assertThat(p).containsEntry("compression", expectedCompression).containsEntry("quota", "10485760")
                .containsEntry("atime", "off").containsEntry("snapdir", "hidden")
                .containsEntry("canmount", "noauto").containsEntry("mountpoint", mnt.toString())
                .containsEntry("mounted", "no");
        assertThat(zfs.exists(ds)).isTrue();
    }

    @Test
    void createDataset_existing_isExists_and_missingParent_isNotFound() throws Exception {
        DatasetName ds = pool.dataset("twice");
        zfs.createDataset(ds, DatasetProperties.create());
        assertThatThrownBy(() -> zfs.createDataset(ds, DatasetProperties.create()))
                .isInstanceOf(DatasetExistsException.class).hasMessageContaining("already exists");
        assertThatThrownBy(() -> zfs.createDataset(pool.dataset("nope").child("x"), DatasetProperties.create()))
                .isInstanceOf(DatasetNotFoundException.class);
    }

    @Test
    void getProperty_missingDataset_isNotFound() {
        assertThatThrownBy(() -> zfs.getProperty(pool.dataset("missing"), "used"))
                .isInstanceOf(DatasetNotFoundException.class).hasMessageContaining("dataset does not exist");
    }

    @Test
    void setProperty_invalidValue_isZfsError() throws Exception {
        DatasetName ds = pool.dataset("badprop");
        zfs.createDataset(ds, DatasetProperties.create());
        assertThatThrownBy(() -> zfs.setProperty(ds, "quota", "bogus")).isInstanceOf(ZfsException.class)
                .hasMessageContaining("bad numeric value");
        zfs.setProperty(ds, "io.zproj:owner", "alice");
        assertThat(zfs.getProperty(ds, "io.zproj:owner")).isEqualTo("alice");
    }

    @Test
    void listChildren_givesDirectChildrenWithExactSpace() throws Exception {
        DatasetName parent = pool.dataset("parent");
        zfs.createDataset(parent, DatasetProperties.create());
        zfs.createDataset(parent.child("b"), DatasetProperties.create().quota(5L << 20));
        zfs.createDataset(parent.child("a"), DatasetProperties.create());
        zfs.createDataset(parent.child("a").child("grandchild"), DatasetProperties.create());
        Path mnt = pool.dir().resolve("child-a");
        zfs.mount(parent.child("a"), mnt);
        Files.write(mnt.resolve("data"), new byte[1 << 20]);
        zfs.unmount(parent.child("a"));

        List<DatasetInfo> children = zfs.listChildren(parent);
        assertThat(children).extracting(DatasetInfo::name).containsExactly(parent.child("a"), parent.child("b"));
        assertThat(children.get(0).referenced()).isGreaterThan(1L << 19);
        assertThat(children.get(0).used()).isGreaterThanOrEqualTo(children.get(0).referenced());
        assertThat(children.get(0).quota()).isEmpty();
        assertThat(children.get(1).quota()).isEqualTo(OptionalLong.of(5L << 20));
        assertThat(zfs.datasetInfo(parent.child("b")).quota()).isEqualTo(OptionalLong.of(5L << 20));
    }

    @Test
    void mount_unmount_areIdempotentAndReported() throws Exception {
        DatasetName ds = pool.dataset("mnt");
        zfs.createDataset(ds, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
        Path mnt = pool.dir().resolve("a").resolve("deeper");
        assertThat(zfs.isMounted(ds)).isFalse();
        zfs.mount(ds, mnt);
        zfs.mount(ds, mnt);
        assertThat(zfs.isMounted(ds)).isTrue();
        Files.writeString(mnt.resolve("x"), "x");

        Path moved = pool.dir().resolve("moved");
        zfs.mount(ds, moved);
        assertThat(Files.readString(moved.resolve("x"))).isEqualTo("x");

        assertThat(zfs.unmount(ds)).isTrue();
        assertThat(zfs.unmount(ds)).isFalse();
        assertThat(zfs.isMounted(ds)).isFalse();
        assertThat(moved.resolve("x")).doesNotExist();
    }

    @Test
    void unmount_withOpenFile_isBusy_andDestroyRefuses() throws Exception {
        DatasetName ds = pool.dataset("busy");
        zfs.createDataset(ds, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
        Path mnt = pool.dir().resolve("busy-mnt");
        zfs.mount(ds, mnt);
        try (FileChannel open = FileChannel.open(mnt.resolve("held"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            assertThatThrownBy(() -> zfs.unmount(ds)).isInstanceOf(DatasetBusyException.class);
            assertThatThrownBy(() -> zfs.destroyDataset(ds)).isInstanceOf(DatasetBusyException.class);
            assertThat(zfs.isMounted(ds)).isTrue();
        }
        assertThat(zfs.unmount(ds)).isTrue();
    }

    @Test
    void destroyDataset_recursiveAndIdempotent() throws Exception {
        DatasetName ds = pool.dataset("gone");
        zfs.createDataset(ds, DatasetProperties.create());
        zfs.createDataset(ds.child("kid"), DatasetProperties.create());
        zfs.snapshot(ds.snapshot("s1"));
        assertThat(zfs.destroyDataset(ds)).isTrue();
        assertThat(zfs.exists(ds)).isFalse();
        assertThat(zfs.exists(ds.child("kid"))).isFalse();
        assertThat(zfs.destroyDataset(ds)).isFalse();
    }

    @Test
    void rename_keepsSnapshots_andRefusesAnExistingTarget() throws Exception {
        DatasetName from = pool.dataset("before-rename");
        DatasetName to = pool.dataset("after-rename");
        zfs.createDataset(from, DatasetProperties.create());
        Snapshot s = zfs.snapshot(from.snapshot("kept"));
        zfs.rename(from, to);
        assertThat(zfs.exists(from)).isFalse();
        assertThat(zfs.listSnapshots(to)).extracting(Snapshot::guid).containsExactly(s.guid());
        zfs.createDataset(from, DatasetProperties.create());
        assertThatThrownBy(() -> zfs.rename(from, to)).isInstanceOf(DatasetExistsException.class);
        assertThatThrownBy(() -> zfs.rename(pool.dataset("missing"), pool.dataset("x")))
                .isInstanceOf(DatasetNotFoundException.class);
    }

    @Test
    void quota_setReadRemove_andBelowUsageIsQuotaExceeded() throws Exception {
        DatasetName ds = pool.dataset("quota");
        zfs.createDataset(ds, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
        assertThat(zfs.quota(ds)).isEmpty();
        zfs.setQuota(ds, 8L << 20);
        assertThat(zfs.quota(ds)).isEqualTo(OptionalLong.of(8L << 20));

        Path mnt = pool.dir().resolve("quota-mnt");
        zfs.mount(ds, mnt);
        Files.write(mnt.resolve("two-mb"), new byte[2 << 20]);
        zfs.unmount(ds);
        assertThatThrownBy(() -> zfs.setQuota(ds, 1L << 20)).isInstanceOf(QuotaExceededException.class)
                .hasMessageContaining("less than current used");
        zfs.setQuota(ds, 0);
        assertThat(zfs.quota(ds)).isEmpty();
    }
}
