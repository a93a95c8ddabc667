package io.zproj.zfs.testing;

import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.PoolInfo;
import io.zproj.zfs.PoolName;
import io.zproj.zfs.Zfs;
import io.zproj.zfs.ZfsConfig;
import io.zproj.zfs.ZfsException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real zfs-fuse pool on a sparse file in its own temp directory, for {@code *IT} tests:
 * destroyed with its directory on {@link #close()}.
 *
 * <p>Pools are named {@code zpt<pid>_<random>}, so that tests running in parallel never
 * collide, and so that a pool left behind by a crashed run can be recognised by its dead
 * owner and swept away by the next run ({@link #sweepLeftovers}).
 */
public final class TestPool implements AutoCloseable {

    private static final String PREFIX = "zpt";
    private static final String DIR_PREFIX = "zproj-it-";
    private static Zfs shared;

    private final Zfs zfs;
    private final PoolName name;
    private final Path dir;

    private TestPool(Zfs zfs, PoolName name, Path dir) {
        this.zfs = zfs;
        this.name = name;
        this.dir = dir;
    }

    /** The bridge shared by the tests of this JVM, opened once with default config. */
    public static synchronized Zfs zfs() throws ZfsException {
        if (shared == null) {
            shared = Zfs.open(ZfsConfig.defaults());
            sweepLeftovers(shared);
        }
        return shared;
    }

    /** A new pool of {@code bytes} (sparse) on the shared bridge. */
    public static TestPool create(long bytes) throws IOException {
        Zfs zfs = zfs();
        PoolName name = PoolName.of(PREFIX + ProcessHandle.current().pid() + "_"
                + UUID.randomUUID().toString().substring(0, 8));
        Path dir = Files.createTempDirectory(DIR_PREFIX + name.value() + "-");
        Path vdev = Zfs.createFileVdev(dir.resolve("vdev0.img"), bytes);
        zfs.createPool(name, List.of(vdev), DatasetProperties.create().atime(false));
        return new TestPool(zfs, name, dir);
    }

    public Zfs bridge() {
        return zfs;
    }

    public PoolName name() {
        return name;
    }

    /** The pool's root dataset. */
    public DatasetName root() {
        return name.rootDataset();
    }

    /** A dataset name under the root. */
    public DatasetName dataset(String child) {
        return root().child(child);
    }

    /** The temp directory that holds the vdev; a place for mountpoints too. */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        try {
            zfs.destroyPool(name);
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * Destroys the test pools of processes that no longer run, and their temp directories.
     * Pools of live processes (a parallel run) are left alone.
     */
    public static void sweepLeftovers(Zfs zfs) throws ZfsException {
        for (PoolInfo pool : zfs.listPools()) {
            if (isOrphan(pool.name().value())) {
                System.err.println("removing test pool left behind by a dead run: " + pool.name());
                zfs.destroyPool(pool.name());
            }
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, DIR_PREFIX + PREFIX + "*")) {
            for (Path d : dirs) {
                String pool = d.getFileName().toString().substring(DIR_PREFIX.length());
                if (isOrphan(pool)) {
                    deleteTree(d);
                }
            }
        } catch (IOException e) {
            System.err.println("cannot sweep " + tmp + ": " + e);
        }
    }

    private static boolean isOrphan(String poolName) {
        if (!poolName.startsWith(PREFIX)) {
            return false;
        }
        int end = poolName.indexOf('_');
        if (end <= PREFIX.length()) {
            return false;
        }
        try {
            long pid = Long.parseLong(poolName.substring(PREFIX.length(), end));
            return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Deletes a directory tree; a missing one is fine. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
