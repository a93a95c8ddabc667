package io.zproj.cache;

import io.zproj.zfs.DatasetBusyException;
import io.zproj.zfs.DatasetInfo;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.MountTable;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The projects this host holds: their datasets {@code <cacheRoot>/<uuid>}, which are mounted at
 * {@code <state>/mnt/<uuid>} (their backing mounts) and over {@code <mountpoint>/<uuid>} (their
 * native mounts, {@link NativeMounts}), when each was last opened, and the bound on how many are
 * mounted at once. Every change to a project's mounts happens under its lock ({@link #lockFor}).
 */
final class LocalProjects {

    private static final System.Logger LOG = System.getLogger(LocalProjects.class.getName());

    private final Zfs zfs;
    private final CacheConfig config;
    private final Clock clock;
    private final CacheState state;
    private final NativeMounts natives;
    /** Projects with a local dataset. */
    private final Map<ProjectId, DatasetInfo> local = new ConcurrentHashMap<>();
    /** Backing directories of projects whose dataset is mounted. */
    private final Map<ProjectId, Path> backing = new ConcurrentHashMap<>();
    private final Map<ProjectId, Long> lastAccess = new ConcurrentHashMap<>();
    /** Projects some replica does not hold the newest snapshot of (as of their last write-back): kept across restarts. */
    private final Set<ProjectId> unsynced = ConcurrentHashMap.newKeySet();
    private final Map<ProjectId, java.util.concurrent.locks.ReentrantLock> locks = new ConcurrentHashMap<>();
    private volatile Predicate<ProjectId> openThroughDaemon = id -> false;
    /** Told when a project becomes local or stops being local. */
    private final Runnable membershipChanged;

    LocalProjects(Zfs zfs, CacheConfig config, Clock clock, CacheState state, NativeMounts natives,
            Runnable membershipChanged) {
        this.zfs = zfs;
        this.config = config;
        this.clock = clock;
        this.state = state;
        this.natives = natives;
        this.membershipChanged = membershipChanged;
    }

    /** Finds the local datasets (and those a daemon that died left mounted) and the recorded state. */
    void load() throws IOException {
        Map<Path, String> mounts = new HashMap<>(); // the kernel's table, read once: no zfs command per project
        MountTable.read().forEach(m -> mounts.put(m.mountpoint(), m.source()));
        for (DatasetInfo d : zfs.listChildren(config.cacheRoot())) {
            if (ProjectId.isValid(d.name().leaf())) {
                ProjectId id = ProjectId.parse(d.name().leaf());
                local.put(id, d);
                if (d.name().value().equals(mounts.get(backingDir(id)))) {
                    backing.put(id, backingDir(id));
                }
            }
        }
        membershipChanged.run();
        keepUnmountedAtImport();
        state.all().forEach((id, e) -> {
            lastAccess.put(id, e.lastAccessMillis());
            if (e.unsynced()) {
                unsynced.add(id);
            }
        });
    }

    /**
     * Every copy is {@code canmount=noauto}, so that a pool import (zfs-fuse's start, a boot)
     * mounts none of them: a receive sets it right after the stream, and a stop between the two
     * left a copy that the next import mounts. One command for the whole cache.
     */
    private void keepUnmountedAtImport() throws IOException {
        for (Map.Entry<DatasetName, String> e : zfs.childProperty(config.cacheRoot(), "canmount").entrySet()) {
            if (ProjectId.isValid(e.getKey().leaf()) && !"noauto".equals(e.getValue())) {
                zfs.setProperty(e.getKey(), "canmount", "noauto");
                LOG.log(Level.INFO, e.getKey() + " was canmount=" + e.getValue() + " (a stop came between its receive "
                        + "and the setting); now noauto, so that a pool import does not mount it");
            }
        }
    }

    /** The lock held while a project's dataset or mounts change. */
    java.util.concurrent.locks.ReentrantLock lockFor(ProjectId id) {
        return locks.computeIfAbsent(id, k -> new java.util.concurrent.locks.ReentrantLock());
    }

    DatasetName dataset(ProjectId id) {
        return config.cacheRoot().child(id);
    }

    Path backingDir(ProjectId id) {
        return config.mountBase().resolve(id.toString());
    }

    boolean isLocal(ProjectId id) {
        return local.containsKey(id);
    }

    /** The local projects, in no order. */
    List<ProjectId> ids() {
        return new ArrayList<>(local.keySet());
    }

    /** The local projects, most recently opened first. */
    List<ProjectId> byRecency() {
        Map<ProjectId, Long> accessed = new HashMap<>(lastAccess);
        List<ProjectId> ids = ids();
        ids.sort(Comparator.comparingLong((ProjectId id) -> accessed.getOrDefault(id, 0L)).reversed());
        return ids;
    }

    /** What was last known of a project's space, without asking ZFS. */
    DatasetInfo info(ProjectId id) {
        return local.get(id);
    }

    /** The backing directory if the project's dataset is mounted. */
    Path backing(ProjectId id) {
        return backing.get(id);
    }

    /** The bytes the local copies used when last measured (no zfs command). */
    long knownUsedBytes() {
        long sum = 0;
        for (DatasetInfo d : local.values()) {
            sum += d.used();
        }
        return sum;
    }

    Set<ProjectId> mounted() {
        return backing.keySet();
    }

    Map<ProjectId, Long> lastAccesses() {
        return new HashMap<>(lastAccess);
    }

    /** A process looked at the project through the namespace. */
    void accessed(ProjectId id) {
        lastAccess.put(id, clock.millis());
    }

    /** Which projects have files open through the daemon (they must not be unmounted under them). */
    void openThroughDaemon(Predicate<ProjectId> predicate) {
        this.openThroughDaemon = predicate;
    }

    boolean hasFilesOpenThroughDaemon(ProjectId id) {
        return openThroughDaemon.test(id);
    }

    /** A dataset received (or renamed) into place. */
    void added(ProjectId id) throws IOException {
        added(id, zfs.datasetInfo(dataset(id)));
    }

    /** A dataset received into place, as the receive read it. */
    void added(ProjectId id, DatasetInfo info) {
        if (local.put(id, info) == null) {
            membershipChanged.run();
        }
    }

    /** The dataset is gone (destroyed or renamed away); its record too. */
    void removed(ProjectId id) {
        if (local.remove(id) != null) {
            membershipChanged.run();
        }
        backing.remove(id);
        unsynced.remove(id);
        try {
            state.remove(id);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot forget " + id + " in the state: " + e.getMessage());
        }
    }

    /** Mounts the project's dataset at its backing directory (under its lock). */
    Path mountBacking(ProjectId id) throws IOException {
        Path dir = backingDir(id);
        if (!isMountedAt(dataset(id), dir)) { // a receive may have mounted it there already
            zfs.mount(dataset(id), dir);
        }
        if (!local.containsKey(id)) { // known already when it was just received or found at start
            added(id, zfs.datasetInfo(dataset(id)));
        }
        backing.put(id, dir);
        record(id);
        return dir;
    }

    /** Whether the kernel has {@code dataset} mounted at {@code dir} (no zfs command). */
    private static boolean isMountedAt(DatasetName dataset, Path dir) throws IOException {
        return MountTable.at(dir).filter(m -> m.source().equals(dataset.value())).isPresent();
    }

    /**
     * Takes a project's native and backing mounts away, never lazily (under its lock).
     *
     * @throws ProjectBusyException if a process uses it; its mounts are then as they were
     */
    void unmount(ProjectId id) throws IOException {
        synchronized (natives.bindLockFor(id)) {
            natives.unbind(id);
            try {
                zfs.unmount(dataset(id));
            } catch (DatasetBusyException e) {
                natives.request(id); // put back what was taken
                throw new ProjectBusyException(id + " is in use", Holders.of(backingDir(id)));
            } catch (IOException | RuntimeException e) {
                natives.request(id);
                throw e;
            }
            backing.remove(id);
        }
    }

    /** Keeps the mounted projects under the bound: unmounts the least recently opened idle ones. */
    void makeRoom(ProjectId forId) {
        if (backing.size() < config.maxMounted()) {
            return;
        }
        Map<ProjectId, Long> accessed = lastAccesses();
        List<ProjectId> oldest = new ArrayList<>(backing.keySet());
        oldest.remove(forId);
        oldest.sort(Comparator.comparingLong(id -> accessed.getOrDefault(id, 0L)));
        List<String> busy = new ArrayList<>();
        for (ProjectId victim : oldest) {
            if (backing.size() < config.maxMounted()) {
                return;
            }
            if (hasFilesOpenThroughDaemon(victim)) {
                busy.add(victim + " (files open through the daemon)");
                continue;
            }
            java.util.concurrent.locks.ReentrantLock lock = lockFor(victim);
            if (!lock.tryLock()) { // being fetched, refreshed or evicted: not idle; and never wait here
                busy.add(victim + " (busy)");
                continue;
            }
            try {
                try {
                    unmount(victim);
                } finally {
                    lock.unlock();
                }
                LOG.log(Level.INFO, "unmounted the idle project " + victim + " (at most " + config.maxMounted()
                        + " mounted); it is mounted again on its next access");
            } catch (IOException e) {
                busy.add(victim + " (" + e.getMessage() + ")");
            }
        }
        if (backing.size() >= config.maxMounted()) {
            LOG.log(Level.WARNING, backing.size() + " projects are mounted, at the bound of " + config.maxMounted()
                    + ", and none can be unmounted now: " + String.join("; ", busy));
        }
    }

    Set<ProjectId> allUnsynced() {
        return Set.copyOf(unsynced);
    }

    /** Records whether every replica acked the newest snapshot, durably. */
    void synced(ProjectId id, boolean allReplicas) {
        if (allReplicas) {
            unsynced.remove(id);
        } else {
            unsynced.add(id);
        }
        record(id);
    }

    private void record(ProjectId id) {
        try {
            state.put(id, new CacheState.Entry(unsynced.contains(id), lastAccess.getOrDefault(id, clock.millis())));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot record the state of " + id + ": " + e.getMessage());
        }
    }

    /** Unmounts every backing mount at shutdown (native ones are gone by then); the state is closed. */
    void close() {
        for (ProjectId id : new ArrayList<>(backing.keySet())) {
            try {
                zfs.unmount(dataset(id));
                backing.remove(id);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot unmount " + backing.get(id) + ": " + e.getMessage());
            }
        }
        state.close();
    }
}
