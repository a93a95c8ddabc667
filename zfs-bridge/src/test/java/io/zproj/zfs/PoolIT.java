package io.zproj.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zproj.zfs.testing.TestPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pools on real zfs-fuse: create, list, export, import without mounting, destroy. */
class PoolIT {

    @Test
    void open_onThisHost_probesCapabilitiesConsistentWithTheBinary() throws Exception {
        Capabilities caps = TestPool.zfs().capabilities();
        if (Files.exists(Path.of("/usr/sbin/zfs-fuse"))) {
            // zfs-fuse (pool version 23) has none of the OpenZFS features
            assertThat(caps).isEqualTo(new Capabilities(false, false, false, false, false, false, false, false));
        }
        assertThat(caps.describe()).contains("zfs diff");
    }

    @Test
    void createPool_onFileVdev_isListedOnlineWithSpace() throws Exception {
        try (TestPool pool = TestPool.create(128L << 20)) {
            Zfs zfs = pool.bridge();
            PoolInfo info = zfs.pool(pool.name());
            assertThat(info.health()).isEqualTo("ONLINE");
            assertThat(info.sizeBytes()).isBetween(100L << 20, 128L << 20);
            assertThat(zfs.listPools()).extracting(PoolInfo::name).contains(pool.name());
            long available = zfs.availableBytes(pool.root());
            assertThat(available).isBetween(50L << 20, 128L << 20);
            assertThat(zfs.getProperty(pool.root(), "mountpoint")).isEqualTo("none");
            assertThat(zfs.getProperty(pool.root(), "canmount")).isEqualTo("noauto");
            assertThat(zfs.getProperty(pool.root(), "atime")).isEqualTo("off");
        }
    }

    @Test
    void createPool_nameTaken_isExists() throws Exception {
        try (TestPool pool = TestPool.create(64L << 20)) {
            Path other = Zfs.createFileVdev(pool.dir().resolve("other.img"), 64L << 20);
            assertThatThrownBy(() -> pool.bridge().createPool(pool.name(), List.of(other), DatasetProperties.create()))
                    .isInstanceOf(DatasetExistsException.class);
        }
    }

    @Test
    void exportThenImport_keepsDataAndMountsNothing() throws Exception {
        try (TestPool pool = TestPool.create(128L << 20)) {
            Zfs zfs = pool.bridge();
            DatasetName ds = pool.dataset("p");
            Path mnt = pool.dir().resolve("mnt");
            zfs.createDataset(ds, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO)
                    .mountpoint(mnt));
            zfs.mount(ds, mnt);
            Files.writeString(mnt.resolve("hello.txt"), "hello");
            Snapshot snap = zfs.snapshot(ds);

            zfs.exportPool(pool.name(), false);
            assertThat(zfs.listPools()).extracting(PoolInfo::name).doesNotContain(pool.name());
            assertThatThrownBy(() -> zfs.pool(pool.name())).isInstanceOf(PoolNotFoundException.class);

            zfs.importPool(pool.name(), pool.dir());
            assertThat(zfs.isMounted(ds)).as("import must not mount datasets").isFalse();
            assertThat(zfs.listSnapshots(ds)).containsExactly(snap);
            zfs.mount(ds, mnt);
            assertThat(Files.readString(mnt.resolve("hello.txt"))).isEqualTo("hello");
            zfs.unmount(ds);
        }
    }

    @Test
    void importPool_unknown_isPoolNotFound() throws Exception {
        try (TestPool pool = TestPool.create(64L << 20)) {
            assertThatThrownBy(() -> pool.bridge().importPool(PoolName.of("zptnosuchpool"), pool.dir()))
                    .isInstanceOf(PoolNotFoundException.class);
        }
    }

    @Test
    void destroyPool_twice_isIdempotent() throws Exception {
        TestPool pool = TestPool.create(64L << 20);
        pool.bridge().destroyPool(pool.name());
        pool.bridge().destroyPool(pool.name());
        assertThat(pool.bridge().listPools()).extracting(PoolInfo::name).doesNotContain(pool.name());
        pool.close();
    }

    @Test
    void exportPool_notImported_isPoolNotFound() throws Exception {
        assertThatThrownBy(() -> TestPool.zfs().exportPool(PoolName.of("zptnosuchpool"), false))
                .isInstanceOf(PoolNotFoundException.class);
    }
}
