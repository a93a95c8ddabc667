package io.zproj.cache;

import io.zproj.zfs.DatasetInfo;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Eviction: a project goes only when every replica holds its newest snapshot and no process uses
 * it (its current directory or an open file, on the native mount or the FUSE directory beneath
 * it); it is written back first, unmounted (never lazily), then destroyed. {@link #enforceSize}
 * evicts the least recently used while the cache is over its size.
 */
final class Eviction {

    private static final System.Logger LOG = System.getLogger(Eviction.class.getName());

    private java.util.function.Consumer<ProjectId> evicted = id -> {};
    private final Zfs zfs;
    private final LocalProjects local;
    private final NativeMounts natives;
    private final Changes changes;
    private final WriteBacks writeBacks;
    private final WriteBack writeBack;
    private final FaultIn faultIn;
    private final CacheConfig config;
    private final Clock clock;

    private SnapshotViews views;

    /** The snapshot views to drop before a snapshot or copy goes (set once, before use). */
    void views(SnapshotViews v) {
        this.views = v;
    }

    private final ReplicaBases bases;

    Eviction(Zfs zfs, LocalProjects local, NativeMounts natives, Changes changes, WriteBacks writeBacks,
            WriteBack writeBack, FaultIn faultIn, CacheConfig config, Clock clock, ReplicaBases bases) {
        this.zfs = zfs;
        this.bases = bases;
        this.local = local;
        this.natives = natives;
        this.changes = changes;
        this.writeBacks = writeBacks;
        this.writeBack = writeBack;
        this.faultIn = faultIn;
        this.config = config;
        this.clock = clock;
    }

    /** Called (under the project's lock) after a project was evicted. */
    void onEvicted(java.util.function.Consumer<ProjectId> listener) {
        this.evicted = listener;
    }

    /** Evicts least recently used projects while the cache is over its size; says why the rest stay. */
    void enforceSize() {
        if (config.cacheSize() <= 0) {
            return;
        }
        long used = 0;
        try {
            for (DatasetInfo d : zfs.listChildren(config.cacheRoot())) {
                used += d.used();
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot measure the cache: " + e.getMessage());
            return;
        }
        if (used <= config.cacheSize()) {
            return;
        }
        List<String> kept = new ArrayList<>();
        used -= evictOldest(null, used - config.cacheSize(), true, kept);
        if (used > config.cacheSize()) {
            LOG.log(Level.WARNING, "the cache uses " + used + " bytes, over its size of " + config.cacheSize()
                    + ", and nothing more can be evicted: " + String.join("; ", kept));
        }
    }

    /**
     * Frees {@code bytes} of local space for a project about to be fetched: evicts the least
     * recently used projects that may go (written back, not in use, not touched within the
     * freshness window), never {@code forProject} itself, and never waiting for a project's lock.
     *
     * @return the bytes freed (by the evicted projects' sizes)
     */
    long makeRoom(ProjectId forProject, long bytes) {
        return evictOldest(forProject, bytes, false, new ArrayList<>());
    }

    /**
     * Evicts least recently used projects, except {@code spare} and those touched within the
     * freshness window, until their sizes add up to {@code bytes}; says in {@code kept} why the
     * others stay.
     *
     * @param wait whether to wait for a project's lock (see {@link #evict(ProjectId, boolean)})
     * @return the bytes freed
     */
    private long evictOldest(ProjectId spare, long bytes, boolean wait, List<String> kept) {
        Map<ProjectId, Long> accessed = local.lastAccesses();
        List<ProjectId> byAge = local.ids();
        byAge.sort(Comparator.comparingLong(id -> accessed.getOrDefault(id, 0L)));
        long recent = clock.millis() - config.freshness().toMillis();
        long freed = 0;
        for (ProjectId id : byAge) {
            if (freed >= bytes) {
                break;
            }
            if (id.equals(spare)) {
                continue;
            }
            if (accessed.getOrDefault(id, 0L) > recent) {
                kept.add(id + " (in use right now)");
                continue;
            }
            DatasetInfo info = local.info(id);
            long size = info == null ? 0 : info.used();
            Optional<String> why = evict(id, wait);
            if (why.isEmpty()) {
                freed += size;
                if (spare != null) {
                    LOG.log(Level.INFO, "evicted " + id + " (" + size + " bytes) to make room for " + spare);
                }
            } else {
                kept.add(id + " (" + why.get() + ")");
            }
        }
        return freed;
    }

    /** Evicts one project; empty if done, otherwise why not. */
    Optional<String> evict(ProjectId id) {
        return evict(id, true);
    }

    /**
     * Evicts one project, waiting for its lock if {@code wait}; otherwise a project someone is
     * working on stays (a fault-in that makes room holds its own project's lock: waiting for
     * another's could wait for a fault-in that waits for it).
     */
    private Optional<String> evict(ProjectId id, boolean wait) {
        java.util.concurrent.locks.ReentrantLock lock = local.lockFor(id);
        if (wait) {
            lock.lock();
        } else if (!lock.tryLock()) {
            return Optional.of("it is being worked on");
        }
        try {
            if (!local.isLocal(id)) {
                return Optional.of("not cached here");
            }
            if (writeBack.conflict(id).isPresent()) {
                return Optional.of("conflicted: " + writeBack.conflict(id).get());
            }
            if (local.hasFilesOpenThroughDaemon(id)) {
                return Optional.of("files are open in it");
            }
            if (faultIn.inProgress(id)) {
                return Optional.of("it is being fetched");
            }
            Path dir = natives.dir(id);
            List<String> holders = dir == null ? List.of() : Holders.of(dir);
            if (!holders.isEmpty()) {
                return Optional.of("it is in use: " + String.join("; ", holders));
            }
            try {
                WriteBack.Report r = writeBacks.run(id, changes.detect().contains(id)); // also checks every replica
                if (!r.ok()) {
                    return Optional.of("not every replica holds its newest snapshot: " + String.join("; ", WriteBack.lines(r)));
                }
                local.unmount(id);
                if (changes.detect().contains(id)) { // a change that slipped in before the unmount: keep it
                    local.mountBacking(id);
                    natives.request(id);
                    return Optional.of("it changed while it was being evicted");
                }
                views.drop(id);
                bases.destroy(local.dataset(id));
                local.removed(id);
                evicted.accept(id);
                LOG.log(Level.INFO, "evicted " + id + " (every replica holds " + r.newest().map(Object::toString)
                        .orElse("it") + ")");
                return Optional.empty();
            } catch (ProjectBusyException e) {
                return Optional.of(e.getMessage());
            } catch (IOException | RuntimeException e) {
                return Optional.of("eviction failed: " + e.getMessage());
            }
        } finally {
            lock.unlock();
        }
    }
}
