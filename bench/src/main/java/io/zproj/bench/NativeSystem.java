package io.zproj.bench;

import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import java.io.IOException;
import java.nio.file.Path;

/** A dataset of the bench pool mounted by zfs-fuse and used directly: the limit for anything layered on it. */
final class NativeSystem implements BenchSystem {

    private final BenchPool pool;
    private final Path mountpoint;
    private DatasetName dataset;

    NativeSystem(BenchPool pool, Path base) {
        this.pool = pool;
        this.mountpoint = base.resolve("native");
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public void start() throws IOException {
        dataset = pool.dataset("native");
        pool.zfs.createDataset(dataset, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
        pool.zfs.mount(dataset, mountpoint);
    }

    @Override
    public Path workDir() {
        return mountpoint;
    }

    @Override
    public void close() {
        try {
            if (dataset != null) {
                pool.zfs.unmount(dataset);
            }
        } catch (IOException | RuntimeException e) {
            Suite.warn("could not unmount " + mountpoint + ": " + e.getMessage());
            Mounts.unmountLazily(mountpoint);
        }
    }
}
