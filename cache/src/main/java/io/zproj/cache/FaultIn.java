package io.zproj.cache;

import io.zproj.transport.Addresses;
import io.zproj.transport.SnapshotEntry;
import io.zproj.zfs.DatasetInfo;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Fault-in: a project's first look fetches it from the best replica into the local pool and
 * mounts it, one fetch however many callers ask at once; a local project that is not mounted is
 * refreshed (while it is not mounted, so what it receives shows) and mounted. Then its native
 * mount is asked for, made on another thread.
 */
final class FaultIn {

    private static final System.Logger LOG = System.getLogger(FaultIn.class.getName());

    private final LocalProjects local;
    private final NativeMounts natives;
    private final ProjectTransfers transfers;
    private final CacheConfig config;
    private final Fleet fleet;
    private WriteAccess access;
    private final Transfers inProgress;
    private final ExecutorService threads;
    private final Predicate<ProjectId> changed;
    /** No local change, nothing unsynced, no conflict: the copy holds nothing the replicas did not have. */
    private final Predicate<ProjectId> replaceable;
    private final Zfs zfs;
    private final Map<ProjectId, CompletableFuture<Path>> opening = new ConcurrentHashMap<>();
    private final AtomicLong bytesFetched = new AtomicLong();
    /** Told of every successful pull (the project is as a replica has it). */
    private volatile java.util.function.Consumer<ProjectId> pulled = id -> { };
    /** Told of every replica a pull skipped because it has diverged from the local copy. */
    private volatile java.util.function.BiConsumer<ProjectId, ProjectTransfers.Skipped> divergedReplica = (id, s) -> { };

    private SnapshotViews views;

    /** The snapshot views to drop before a snapshot or copy goes (set once, before use). */
    void views(SnapshotViews v) {
        this.views = v;
    }

    private final ReplicaBases bases;
    private volatile CacheMeters meters;

    /** Where fault-ins and refreshes are counted (set once, before the first). */
    void meters(CacheMeters m) {
        this.meters = m;
    }

    FaultIn(Zfs zfs, LocalProjects local, NativeMounts natives, ProjectTransfers transfers, CacheConfig config, Fleet fleet,
            Transfers inProgress, ExecutorService threads, ReplicaBases bases, Predicate<ProjectId> changed,
            Predicate<ProjectId> replaceable) {
        this.zfs = zfs;
        this.bases = bases;
        this.replaceable = replaceable;
        this.local = local;
        this.natives = natives;
        this.transfers = transfers;
        this.config = config;
        this.fleet = fleet;
        this.inProgress = inProgress;
        this.threads = threads;
        this.changed = changed;
    }

    void onDivergedReplica(java.util.function.BiConsumer<ProjectId, ProjectTransfers.Skipped> listener) {
        this.divergedReplica = listener;
    }

    void onPulled(java.util.function.Consumer<ProjectId> listener) {
        this.pulled = listener;
    }

    /** The backing directory of the project, fetched and mounted first if need be. */
    /** Decides who writes: set once, before the first fetch. */
    void writeAccess(WriteAccess access) {
        this.access = access;
    }

    Path open(ProjectId id) throws IOException {
        local.accessed(id);
        Path ready = local.backing(id);
        if (ready != null) {
            natives.request(id);
            return ready;
        }
        CompletableFuture<Path> f = opening.computeIfAbsent(id, k -> CompletableFuture.supplyAsync(() -> {
            try {
                return fetchAndMount(k);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, threads));
        f.whenComplete((p, e) -> opening.remove(id, f));
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new CacheException("opening " + id + " failed: " + cause, cause);
        } finally {
            opening.remove(id, f);
        }
    }

    boolean inProgress(ProjectId id) {
        return opening.containsKey(id);
    }

    private Path fetchAndMount(ProjectId id) throws IOException {
        Path dir;
        java.util.concurrent.locks.ReentrantLock lock = local.lockFor(id);
        while (!tryLock(lock)) {
            // Whoever holds the lock may be waiting for a native mount, which waits in the kernel for
            // the FUSE request that waits for this fetch: once the project is mounted, answer at once.
            Path ready = local.backing(id);
            if (ready != null) {
                natives.request(id);
                return ready;
            }
        }
        try {
            dir = local.backing(id);
            if (dir == null) {
                boolean isLocal = local.isLocal(id);
                boolean writable = access.claim(id);
                if (!isLocal || !changed.test(id)) {
                    pullLocked(id, isLocal, true);
                }
                access.apply(id, writable);
                local.makeRoom(id);
                dir = local.mountBacking(id);
            }
        } finally {
            lock.unlock();
        }
        natives.request(id);
        return dir;
    }

    private static boolean tryLock(java.util.concurrent.locks.ReentrantLock lock) throws CacheException {
        try {
            return lock.tryLock(50, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CacheException("interrupted while waiting to fetch");
        }
    }

    /**
     * Mounts a cached project at start (on the mounter thread): refreshed first when it has no
     * local changes, then mounted natively.
     */
    void mountCached(ProjectId id) {
        try {
            java.util.concurrent.locks.ReentrantLock lock = local.lockFor(id);
            lock.lock();
            try {
                if (local.isLocal(id) && local.backing(id) == null && local.mounted().size() < config.maxMounted()) {
                    boolean writable = access.claim(id);
                    if (!changed.test(id)) {
                        pullLocked(id, true, true);
                    }
                    access.apply(id, writable);
                    local.mountBacking(id);
                }
            } finally {
                lock.unlock();
            }
            natives.bindNow(id);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot mount the cached project " + id + ": " + e.getMessage()
                    + "; it is mounted on its next access");
        }
    }

    /**
     * Fetches or refreshes an unmounted project (under its lock); a local copy that cannot be
     * refreshed is served as it is, one that cannot be fetched fails the caller. A clean copy
     * that every replica has diverged from (stranded: the snapshot it was based on was pruned
     * everywhere) is fetched again in full and replaces it; one with local changes is kept.
     *
     * @param mount the copy is mounted at its backing directory next: what is received is left
     *              mounted there, which saves commands ({@link LocalProjects#mountBacking} then
     *              finds it mounted)
     */
    void pullLocked(ProjectId id, boolean isLocal, boolean mount) throws IOException {
        try {
            ProjectTransfers.PullOutcome r;
            try {
                TransferListener listener = inProgress.track(id, isLocal ? "refreshing" : "fetching");
                r = mount ? transfers.pullAndMount(id, config.cacheRoot(), fleet.servers(), local.backingDir(id), listener)
                        : transfers.pull(id, config.cacheRoot(), fleet.servers(), listener);
            } finally {
                inProgress.done(id);
            }
            pulled(id, r, isLocal ? "refreshed " : "faulted in ");
            if (isLocal) {
                meters.refreshed(true, r.upToDate() ? 0 : r.stats().rawBytes());
            } else {
                meters.faultedIn(r.stats().rawBytes(), r.elapsed());
            }
        } catch (DivergedException e) {
            if (!isLocal) {
                throw e;
            }
            if (!replaceable.test(id)) {
                LOG.log(Level.WARNING, "cannot refresh " + id + " (" + e.getMessage() + "); it has local changes, "
                        + "so it is served as it is and written back as a conflict");
                return;
            }
            refetch(id, e.getMessage());
        } catch (IOException e) {
            if (isLocal) {
                meters.refreshed(false, 0);
            } else {
                meters.faultInFailed();
                LOG.log(Level.WARNING, "cannot fault in " + id + ": " + e.getMessage());
                throw e;
            }
            LOG.log(Level.WARNING, "cannot refresh " + id + " (" + e.getMessage() + "); serving the local copy");
        }
    }

    private void pulled(ProjectId id, ProjectTransfers.PullOutcome r, String verb) throws IOException {
        bytesFetched.addAndGet(r.stats().rawBytes());
        if (r.received().isPresent()) {
            local.added(id, r.received().get().info());
        } else {
            local.added(id);
        }
        recordBases(id, r);
        pulled.accept(id);
        r.diverged().forEach(skip -> divergedReplica.accept(id, skip));
        if (!r.upToDate()) {
            LOG.log(Level.INFO, verb + id + " " + r.snapshot() + " from " + Addresses.format(r.server()) + ": "
                    + r.stats().rawBytes() + " bytes in " + r.elapsed().toMillis() + " ms");
        }
    }

    /**
     * After a pull, every replica whose newest snapshot the copy holds is based on it (the one
     * pulled from, and any other at the same or an older head): recorded, so that one behind is
     * caught up by the next write-back, also after a restart without the state directory. A head
     * the copy lacks (ahead, or diverged) is left out when the record is made.
     */
    private void recordBases(ProjectId id, ProjectTransfers.PullOutcome r) {
        Map<InetSocketAddress, SnapshotEntry> at = new java.util.LinkedHashMap<>(r.heads());
        at.put(r.server(), r.snapshot());
        bases.record(local.dataset(id), at);
    }

    /** The name a stranded copy's replacement is received under, next to it. */
    static DatasetName refetchName(DatasetName cacheRoot, ProjectId id) {
        return cacheRoot.child(id + REFETCH_SUFFIX);
    }

    private static final String REFETCH_SUFFIX = "-refetch";

    /**
     * Replaces a clean, stranded copy (unmounted, under its lock): the replica's newest is received
     * in full beside it, then the old copy is destroyed and the new one renamed into its place.
     * Until the rename the old copy is untouched; {@link #finishRefetches} completes a swap a crash
     * interrupted.
     */
    private void refetch(ProjectId id, String why) throws IOException {
        DatasetName current = local.dataset(id);
        DatasetName fresh = refetchName(config.cacheRoot(), id);
        LOG.log(Level.WARNING, "the local copy of " + id + " is stranded (" + why + "); it has no local changes, "
                + "so it is fetched again in full and replaces the old copy");
        zfs.destroyDataset(fresh); // a leftover of an interrupted attempt
        ProjectTransfers.PullOutcome r;
        try {
            r = transfers.pullInto(id, fresh, fleet.servers(), inProgress.track(id, "fetching again"));
        } finally {
            inProgress.done(id);
        }
        views.drop(id);
        bases.destroy(current);
        zfs.rename(fresh, current);
        pulled(id, new ProjectTransfers.PullOutcome(r.server(), r.snapshot(), r.upToDate(), false, r.stats(),
                r.elapsed(), Optional.empty(), r.diverged(), r.heads()), "fetched again ");
    }

    /**
     * At start: a replacement received beside a stranded copy is renamed into place if the old
     * copy is already gone, and destroyed otherwise (the old copy stays until a refresh replaces it).
     */
    static void finishRefetches(Zfs zfs, DatasetName cacheRoot) throws IOException {
        for (DatasetInfo d : zfs.listChildren(cacheRoot)) {
            String leaf = d.name().leaf();
            if (!leaf.endsWith(REFETCH_SUFFIX)) {
                continue;
            }
            String uuid = leaf.substring(0, leaf.length() - REFETCH_SUFFIX.length());
            if (!ProjectId.isValid(uuid)) {
                continue;
            }
            DatasetName project = cacheRoot.child(ProjectId.parse(uuid));
            if (zfs.exists(project)) {
                zfs.destroyDataset(d.name());
                LOG.log(Level.INFO, "dropped " + d.name() + ", an interrupted re-fetch of " + uuid);
            } else {
                zfs.rename(d.name(), project);
                LOG.log(Level.INFO, "completed the re-fetch of " + uuid + " that a stop interrupted");
            }
        }
    }

    long bytesFetched() {
        return bytesFetched.get();
    }
}
