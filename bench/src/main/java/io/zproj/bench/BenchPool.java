package io.zproj.bench;

import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.PoolInfo;
import io.zproj.zfs.PoolName;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.ReceiveOptions;
import io.zproj.zfs.SendStream;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The suite's one zfs-fuse pool, on a sparse file on the same disk as the GlusterFS bricks:
 * native ZFS, the zproj replicas and the zproj cache all live in it. Named {@code zb<pid>};
 * pools of earlier runs whose process is gone are destroyed first.
 */
final class BenchPool implements AutoCloseable {

    private static final long VDEV_BYTES = 24L << 30;

    final Zfs zfs;
    final PoolName name;
    private final Path dir;

    private BenchPool(Zfs zfs, PoolName name, Path dir) {
        this.zfs = zfs;
        this.name = name;
        this.dir = dir;
    }

    static BenchPool create(Zfs zfs, Path base) throws IOException {
        destroyLeftovers(zfs);
        Path dir = base.resolve("pool");
        Files.createDirectories(dir);
        PoolName name = PoolName.of("zb" + ProcessHandle.current().pid());
        zfs.createPool(name, List.of(Zfs.createFileVdev(dir.resolve("vdev.img"), VDEV_BYTES)),
                DatasetProperties.create().atime(false));
        return new BenchPool(zfs, name, dir);
    }

    private static void destroyLeftovers(Zfs zfs) throws IOException {
        for (PoolInfo p : zfs.listPools()) {
            String n = p.name().value();
            if (n.matches("zb\\d+") && ProcessHandle.of(Long.parseLong(n.substring(2))).isEmpty()) {
                Suite.warn("destroying pool " + n + " left by a crashed run");
                zfs.destroyPool(p.name());
            }
        }
    }

    DatasetName dataset(String child) {
        return name.rootDataset().child(child);
    }

    /** Creates a child of the pool's root (not mounted). */
    DatasetName createRoot(String child) throws IOException {
        DatasetName ds = dataset(child);
        zfs.createDataset(ds, DatasetProperties.create());
        return ds;
    }

    /**
     * A new project under {@code root} holding copies of the files of {@code content} (again and
     * again, in sorted order, under {@code copy-N/}) until it holds at least {@code bytes}; snapshotted.
     */
    ProjectId seedProject(DatasetName root, Path content, long bytes) throws IOException {
        ProjectId id = ProjectId.random();
        DatasetName ds = root.child(id);
        zfs.createDataset(ds, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
        Path mnt = dir.resolve("seed");
        zfs.mount(ds, mnt);
        try {
            List<Path> files = List.of();
            if (bytes > 0) {
                try (Stream<Path> s = Files.walk(content)) {
                    files = s.filter(Files::isRegularFile).sorted().toList();
                }
            }
            long written = 0;
            for (int copy = 1; written < bytes; copy++) {
                for (Path f : files) {
                    if (written >= bytes) {
                        break;
                    }
                    Path to = mnt.resolve("copy-" + copy).resolve(content.relativize(f).toString());
                    Files.createDirectories(to.getParent());
                    Files.copy(f, to);
                    written += Files.size(to);
                }
            }
        } finally {
            zfs.unmount(ds);
        }
        zfs.snapshot(ds);
        return id;
    }

    /** Copies a project's newest snapshot from one root to another (a full send). */
    void replicate(ProjectId id, DatasetName from, DatasetName to) throws IOException {
        Snapshot s = zfs.newestSnapshot(from.child(id)).orElseThrow();
        try (SendStream send = zfs.send(s.name(), Optional.empty())) {
            zfs.receive(to.child(id), send.stream(), ReceiveOptions.defaults());
            send.finish();
        }
    }

    /** The byte count of a snapshot's full send stream. */
    long streamBytes(Snapshot snap) throws IOException {
        try (SendStream send = zfs.send(snap.name(), Optional.empty()); InputStream in = send.stream()) {
            long n = in.transferTo(OutputStream.nullOutputStream());
            send.finish();
            return n;
        }
    }

    /** Destroys the pool; never throws. */
    @Override
    public void close() {
        try {
            zfs.destroyPool(name);
            Files.deleteIfExists(dir.resolve("vdev.img"));
        } catch (IOException | RuntimeException e) {
            Suite.warn("could not destroy pool " + name + ": " + e.getMessage());
        }
    }
}
