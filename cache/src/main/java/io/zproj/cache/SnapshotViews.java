package io.zproj.cache;

import io.zproj.zfs.MountTable;
import io.zproj.zfs.DatasetInfo;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.SnapshotName;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Snapshots to browse, on a ZFS without {@code .zfs} (zfs-fuse): a snapshot of a cached project is
 * made visible on first access as a read-only clone {@code <cacheRoot>/zproj-views/<uuid>_<name>},
 * mounted under the state directory and served by the namespace at
 * {@code /projects/.snapshots/<uuid>/<name>/} (acting as the caller, so permissions are kept).
 *
 * <p>A view is never a change and never written back (it is not a project). It never stands in
 * the way: pruning, eviction, a re-fetch and setting a copy aside drop a project's views first,
 * an idle one goes after {@link #IDLE}, and at most {@link #MAX_VIEWS} are mounted at once
 * (they count towards zfs-fuse's 1,000 mounts; the least recently used goes first). A view is
 * made again on the next access. Thread-safe.
 */
final class SnapshotViews {

    private static final System.Logger LOG = System.getLogger(SnapshotViews.class.getName());
    static final String VIEWS = "zproj-views";
    static final int MAX_VIEWS = 50;
    static final Duration IDLE = Duration.ofMinutes(10);

    private record View(ProjectId project, String snapshot, DatasetName dataset, Path dir) {}

    private final Zfs zfs;
    private final CacheConfig config;
    private final Clock clock;
    private final Map<String, View> views = new ConcurrentHashMap<>();
    private final Map<String, Long> lastUsed = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    SnapshotViews(Zfs zfs, CacheConfig config, Clock clock) {
        this.zfs = zfs;
        this.config = config;
        this.clock = clock;
    }

    private DatasetName root() {
        return config.cacheRoot().child(VIEWS);
    }

    private Path base() {
        return config.stateDir().resolve("views");
    }

    /** At start: views left by an earlier run are destroyed (they hold nothing of their own). */
    void dropLeftovers() throws IOException {
        if (!zfs.exists(root())) {
            zfs.createDataset(root(), DatasetProperties.create().canmount(DatasetProperties.CanMount.OFF).noMountpoint());
            return;
        }
        for (DatasetInfo d : zfs.listChildren(root())) {
            destroy(d.name());
        }
    }

    /**
     * The directory where {@code name} of the project's local copy {@code dataset} is seen, made
     * on first use.
     *
     * @throws NoSuchFileException if the copy has no such snapshot
     */
    Path open(ProjectId id, DatasetName dataset, String name) throws IOException {
        String key = id + "_" + name;
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            View v = views.get(key);
            if (v != null && MountTable.isMounted(v.dir())) {
                lastUsed.put(key, clock.millis());
                return v.dir();
            }
            if (v != null) { // unmounted or destroyed from outside: made again
                views.remove(key);
            }
            Snapshot snap = zfs.listSnapshots(dataset).stream().filter(s -> s.name().name().equals(name)).findFirst()
                    .orElse(null);
            if (snap == null) {
                locks.remove(key);
                throw new NoSuchFileException(id + "@" + name, null, "no such snapshot here");
            }
            lastUsed.put(key, clock.millis());
            makeRoom();
            DatasetName clone = root().child(key);
            Path dir = base().resolve(id.toString()).resolve(name);
            ProjectCache.createPrivateDir(base());
            Files.createDirectories(dir.getParent());
            if (zfs.exists(clone)) {
                destroy(clone); // a leftover of an attempt that failed half-way
            }
            zfs.clone(snap.name(), clone, DatasetProperties.create().set("readonly", "on").mountpoint(dir)
                    .canmount(DatasetProperties.CanMount.ON));
            try {
                if (!zfs.isMounted(clone)) {
                    zfs.mount(clone, dir);
                }
            } catch (IOException | RuntimeException e) {
                destroy(clone); // a clone nobody can see would only stand in the way of pruning and eviction
                throw e;
            }
            views.put(key, new View(id, name, clone, dir));
            LOG.log(Level.INFO, "showing " + snap.name() + " at " + dir + " (read-only clone " + clone + ")");
            return dir;
        }
    }

    /** Drops every view of a project: it is about to be pruned, evicted, replaced or set aside. */
    void drop(ProjectId id) {
        for (View v : new ArrayList<>(views.values())) {
            if (v.project().equals(id)) {
                drop(v);
            }
        }
    }

    /** Drops the views of those of a project's snapshots that are about to be destroyed. */
    void drop(ProjectId id, java.util.Set<String> snapshots) {
        for (View v : new ArrayList<>(views.values())) {
            if (v.project().equals(id) && snapshots.contains(v.snapshot())) {
                drop(v);
            }
        }
    }

    /** Drops the views nobody opened for {@link #IDLE}. */
    void dropIdle() {
        long cutoff = clock.millis() - IDLE.toMillis();
        for (View v : new ArrayList<>(views.values())) {
            if (lastUsed.getOrDefault(v.project() + "_" + v.snapshot(), 0L) < cutoff) {
                drop(v);
            }
        }
    }

    /** Drops every view (at shutdown). */
    void dropAll() {
        new ArrayList<>(views.values()).forEach(this::drop);
    }

    int count() {
        return views.size();
    }

    private void makeRoom() {
        while (views.size() >= MAX_VIEWS) {
            View oldest = views.values().stream().min(Comparator.comparingLong(
                    v -> lastUsed.getOrDefault(v.project() + "_" + v.snapshot(), 0L))).orElseThrow();
            if (!drop(oldest)) {
                return; // in use: one over the bound rather than a view taken from under a reader
            }
        }
    }

    private boolean drop(View v) {
        String key = v.project() + "_" + v.snapshot();
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            try {
                destroy(v.dataset());
                views.remove(key);
                lastUsed.remove(key);
                return true;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot drop the view of " + v.project() + "@" + v.snapshot() + " at " + v.dir()
                        + " (in use?): " + e.getMessage() + "; it is tried again later");
                return false;
            }
        }
    }

    private void destroy(DatasetName clone) throws IOException {
        if (zfs.isMounted(clone)) {
            zfs.unmount(clone);
        }
        zfs.destroyDataset(clone);
    }
}
