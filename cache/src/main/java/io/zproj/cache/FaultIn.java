package io.zproj.cache;

import io.zproj.transport.Addresses;
import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Map;
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
    private final Transfers inProgress;
    private final ExecutorService threads;
    private final Predicate<ProjectId> changed;
    private final Map<ProjectId, CompletableFuture<Path>> opening = new ConcurrentHashMap<>();
    private final AtomicLong bytesFetched = new AtomicLong();
    /** Told of every successful pull (the project is as a replica has it). */
    private volatile java.util.function.Consumer<ProjectId> pulled = id -> { };

    FaultIn(LocalProjects local, NativeMounts natives, ProjectTransfers transfers, CacheConfig config,
            Transfers inProgress, ExecutorService threads, Predicate<ProjectId> changed) {
        this.local = local;
        this.natives = natives;
        this.transfers = transfers;
        this.config = config;
        this.inProgress = inProgress;
        this.threads = threads;
        this.changed = changed;
    }

    void onPulled(java.util.function.Consumer<ProjectId> listener) {
        this.pulled = listener;
    }

    /** The backing directory of the project, fetched and mounted first if need be. */
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
                if (!isLocal || !changed.test(id)) {
                    pullLocked(id, isLocal);
                }
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
                    if (!changed.test(id)) {
                        pullLocked(id, true);
                    }
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
     * refreshed is served as it is, one that cannot be fetched fails the caller.
     */
    void pullLocked(ProjectId id, boolean isLocal) throws IOException {
        try {
            ProjectTransfers.PullOutcome r;
            try {
                r = transfers.pull(id, config.cacheRoot(), config.servers(),
                        inProgress.track(id, isLocal ? "refreshing" : "fetching"));
            } finally {
                inProgress.done(id);
            }
            bytesFetched.addAndGet(r.stats().rawBytes());
            if (r.received().isPresent()) {
                local.added(id, r.received().get().info());
            } else {
                local.added(id);
            }
            pulled.accept(id);
            if (!r.upToDate()) {
                LOG.log(Level.INFO, (isLocal ? "refreshed " : "faulted in ") + id + " " + r.snapshot() + " from "
                        + Addresses.format(r.server()) + ": " + r.stats().rawBytes() + " bytes in "
                        + r.elapsed().toMillis() + " ms");
            }
        } catch (IOException e) {
            if (!isLocal) {
                LOG.log(Level.WARNING, "cannot fault in " + id + ": " + e.getMessage());
                throw e;
            }
            LOG.log(Level.WARNING, "cannot refresh " + id + " (" + e.getMessage() + "); serving the local copy");
        }
    }

    long bytesFetched() {
        return bytesFetched.get();
    }
}
