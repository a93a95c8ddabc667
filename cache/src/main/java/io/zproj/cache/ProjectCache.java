package io.zproj.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.zproj.transport.Addresses;
import io.zproj.transport.ProjectEntry;
import io.zproj.transport.SnapshotEntry;
import io.zproj.transport.Transport;
import io.zproj.transport.TransportClient;
import io.zproj.transport.TransportException;
import io.zproj.zfs.DatasetBusyException;
import io.zproj.zfs.DatasetInfo;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The local pool of faulted-in projects ({@code <cacheRoot>/<uuid>}, mounted at
 * {@code <stateDir>/mnt/<uuid>}), and the namespace of every project the servers know. A
 * project is fetched on first {@link #open}, refreshed on a later open when it is clean and a
 * replica is ahead, and kept across restarts: its data is never fetched twice.
 */
public final class ProjectCache implements Namespace, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ProjectCache.class.getName());

    private final Zfs zfs;
    private final Transport transport;
    private final ProjectTransfers transfers;
    private final CacheConfig config;
    private final Clock clock;
    private final CacheState state;
    /** What the servers last listed, merged: the newest entry per project. */
    private volatile Map<ProjectId, ProjectEntry> remote = Map.of();
    /** Projects with a local dataset. */
    private final Map<ProjectId, DatasetInfo> local = new ConcurrentHashMap<>();
    /** Backing directories of mounted projects. */
    private final Map<ProjectId, Path> mounted = new ConcurrentHashMap<>();
    private final Map<ProjectId, CompletableFuture<Path>> opening = new ConcurrentHashMap<>();
    private final Map<ProjectId, Boolean> dirty = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong bytesFetched = new java.util.concurrent.atomic.AtomicLong();
    private final Cache<ProjectId, Boolean> fresh;
    private final ExecutorService faults = Executors.newCachedThreadPool(r -> daemon(r, "zproj-fault-in"));
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "zproj-list-refresh"));
    private final ScheduledExecutorService writeBacks = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "zproj-write-back-tick"));
    private final WriteBack writeBack;
    private final Map<ProjectId, Long> lastAccess = new ConcurrentHashMap<>();
    /** Projects some replica does not hold the newest snapshot of (as of their last write-back). */
    private final java.util.Set<ProjectId> unsynced = ConcurrentHashMap.newKeySet();
    private final Transfers transfersInProgress = new Transfers();
    private final Map<ProjectId, Object> projectLocks = new ConcurrentHashMap<>();
    private volatile java.util.function.Predicate<ProjectId> inUse = id -> false;

    private ProjectCache(Zfs zfs, Transport transport, String clientName, CacheConfig config, Clock clock,
            CacheState state) {
        this.zfs = zfs;
        this.transport = transport;
        this.transfers = new ProjectTransfers(zfs, transport, clientName);
        this.config = config;
        this.clock = clock;
        this.state = state;
        this.fresh = Caffeine.newBuilder().expireAfterWrite(config.freshness()).maximumSize(100_000).build();
        this.writeBack = new WriteBack(zfs, transfers, config, clock, dirty, transfersInProgress);
    }

    /**
     * Opens the cache: finds the projects already local (mounting none), loads the state, and
     * starts refreshing the project list from the servers in the background.
     */
    public static ProjectCache open(Zfs zfs, Transport transport, String clientName, CacheConfig config, Clock clock)
            throws IOException {
        if (!zfs.exists(config.cacheRoot())) {
            throw new CacheException("cache root " + config.cacheRoot() + " does not exist; create it first");
        }
        CacheState state = CacheState.open(config.stateDir().resolve("state"));
        ProjectCache cache = new ProjectCache(zfs, transport, clientName, config, clock, state);
        try {
            for (DatasetInfo d : zfs.listChildren(config.cacheRoot())) {
                if (ProjectId.isValid(d.name().leaf())) {
                    cache.local.put(ProjectId.parse(d.name().leaf()), d);
                }
            }
            state.all().forEach((id, e) -> {
                cache.lastAccess.put(id, e.lastAccessMillis());
                if (e.dirty() || e.mounted()) { // mounted at start: the daemon died; count it as changed
                    cache.dirty.put(id, Boolean.TRUE);
                    if (e.mounted() && !e.dirty()) {
                        LOG.log(Level.WARNING, id + " was mounted when the daemon stopped; writing it back in case");
                    }
                }
            });
        } catch (IOException | RuntimeException e) {
            state.close();
            throw e;
        }
        cache.refreshList();
        long period = config.listRefresh().toMillis();
        cache.refresher.scheduleWithFixedDelay(cache::refreshList, period, period, TimeUnit.MILLISECONDS);
        long wb = config.writeBack().toMillis();
        cache.writeBacks.scheduleWithFixedDelay(cache::writeBackDue, wb, wb, TimeUnit.MILLISECONDS);
        return cache;
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "background work still running 60 s after shutdown began");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    // ------------------------------------------------------------------ namespace

    /**
     * Asks every server for its list now (it also happens every list-refresh interval); keeps the
     * newest snapshot per project. A server that fails takes nothing away.
     */
    public void refreshList() {
        try {
            refreshListOnce();
        } catch (RuntimeException e) { // a scheduled task that throws is never run again
            LOG.log(Level.ERROR, "refreshing the project list failed; it runs again at the next interval", e);
        }
    }

    private void refreshListOnce() {
        Map<ProjectId, ProjectEntry> merged = new ConcurrentHashMap<>();
        int answered = 0;
        for (InetSocketAddress server : config.servers()) {
            try (TransportClient c = transport.connect(server, "zproj-mount-list")) {
                for (ProjectEntry e : c.list()) {
                    merged.merge(new ProjectId(e.id()), e, ProjectCache::newer);
                }
                answered++;
            } catch (TransportException e) {
                LOG.log(Level.DEBUG, () -> "listing " + Addresses.format(server) + " failed: " + e.getMessage());
            }
        }
        if (answered > 0 || config.servers().isEmpty()) {
            remote = merged;
        }
    }

    private static ProjectEntry newer(ProjectEntry a, ProjectEntry b) {
        long ta = a.newest().map(SnapshotEntry::creationEpochSecond).orElse(-1L);
        long tb = b.newest().map(SnapshotEntry::creationEpochSecond).orElse(-1L);
        return tb > ta ? b : a;
    }

    @Override
    public List<ProjectId> projects() {
        List<ProjectId> all = new ArrayList<>(remote.keySet());
        for (ProjectId id : local.keySet()) {
            if (!remote.containsKey(id)) {
                all.add(id);
            }
        }
        all.sort(null);
        return all;
    }

    @Override
    public int projectCount() {
        int n = remote.size();
        for (ProjectId id : local.keySet()) {
            if (!remote.containsKey(id)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public Optional<ProjectAttributes> attributes(ProjectId id) {
        ProjectEntry e = remote.get(id);
        if (e != null) {
            return Optional.of(new ProjectAttributes(e.newest().map(SnapshotEntry::creationEpochSecond).orElse(0L),
                    e.usedBytes()));
        }
        DatasetInfo d = local.get(id);
        if (d != null) {
            return Optional.of(new ProjectAttributes(clock.instant().getEpochSecond(), d.used()));
        }
        return Optional.empty(); // unknown: ENOENT at once; the kernel caches the miss (negative_timeout)
    }

    // ------------------------------------------------------------------ fault-in

    @Override
    public Optional<Path> ready(ProjectId id) {
        return Optional.ofNullable(mounted.get(id));
    }

    @Override
    public Path open(ProjectId id) throws IOException {
        lastAccess.put(id, clock.millis());
        Path ready = mounted.get(id);
        if (ready != null) {
            if (!dirty.containsKey(id) && fresh.getIfPresent(id) == null) {
                startOpening(id); // refresh in the background; FUSE threads never wait on the network here
            }
            return ready;
        }
        CompletableFuture<Path> f = startOpening(id);
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

    /** The one fetch, refresh and mount of a project in flight, started if there is none. */
    private CompletableFuture<Path> startOpening(ProjectId id) {
        CompletableFuture<Path> f = opening.computeIfAbsent(id, k -> CompletableFuture.supplyAsync(() -> {
            try {
                return fetchAndMount(k);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, faults));
        f.whenComplete((p, e) -> opening.remove(id, f));
        return f;
    }

    /** Brings the project local and current (unless it has local changes), mounts it, returns its directory. */
    private Path fetchAndMount(ProjectId id) throws IOException {
        synchronized (lockFor(id)) {
            return fetchAndMountLocked(id);
        }
    }

    private Object lockFor(ProjectId id) {
        return projectLocks.computeIfAbsent(id, k -> new Object());
    }

    private Path fetchAndMountLocked(ProjectId id) throws IOException {
        DatasetName ds = config.cacheRoot().child(id);
        Path dir = config.mountBase().resolve(id.toString());
        boolean isLocal = local.containsKey(id);
        if (!isLocal || !dirty.containsKey(id)) {
            try {
                ProjectTransfers.PullOutcome r;
                try {
                    r = transfers.pull(id, config.cacheRoot(), config.servers(),
                            transfersInProgress.track(id, isLocal ? "refreshing" : "fetching"));
                } finally {
                    transfersInProgress.done(id);
                }
                bytesFetched.addAndGet(r.stats().rawBytes());
                if (!r.upToDate()) {
                    LOG.log(Level.INFO, (isLocal ? "refreshed " : "faulted in ") + id + " " + r.snapshot() + " from "
                            + Addresses.format(r.server()) + ": " + r.stats().rawBytes() + " bytes in "
                            + r.elapsed().toMillis() + " ms");
                }
            } catch (DatasetBusyException e) {
                LOG.log(Level.WARNING, "cannot refresh " + id + " while it is in use; serving the local copy: "
                        + e.getMessage());
            } catch (IOException e) {
                if (!isLocal) {
                    LOG.log(Level.WARNING, "cannot fault in " + id + ": " + e.getMessage());
                    throw e;
                }
                LOG.log(Level.WARNING, "cannot refresh " + id + " (" + e.getMessage() + "); serving the local copy");
            }
            fresh.put(id, Boolean.TRUE);
        }
        zfs.mount(ds, dir);
        local.put(id, zfs.datasetInfo(ds));
        mounted.put(id, dir);
        touch(id);
        if (config.cacheSize() > 0) {
            writeBacks.execute(this::enforceSize); // a fetch may have taken the cache over its size
        }
        return dir;
    }

    private void touch(ProjectId id) {
        try {
            state.put(id, new CacheState.Entry(dirty.containsKey(id), mounted.containsKey(id), clock.millis()));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot record access to " + id + ": " + e.getMessage());
        }
    }

    @Override
    public void modified(ProjectId id) {
        if (dirty.putIfAbsent(id, Boolean.TRUE) == null) {
            try {
                state.put(id, new CacheState.Entry(true, mounted.containsKey(id), clock.millis()));
            } catch (IOException e) {
                LOG.log(Level.ERROR, "cannot record that " + id + " has local changes: " + e.getMessage());
            }
        }
    }

    /** Raw stream bytes fetched from replicas since this cache was opened. */
    public long bytesFetched() {
        return bytesFetched.get();
    }

    /** Whether a project has local changes not yet written back. */
    public boolean isDirty(ProjectId id) {
        return dirty.containsKey(id);
    }

    // ------------------------------------------------------------------ write-back

    /** The periodic write-back: every project with local changes, or with a replica due for a retry. */
    private void writeBackDue() {
        try {
            for (ProjectId id : new ArrayList<>(local.keySet())) {
                if (writeBack.pending(id)) {
                    try {
                        runWriteBack(id);
                    } catch (IOException e) {
                        LOG.log(Level.WARNING, "write-back of " + id + " failed: " + e.getMessage());
                    }
                }
            }
            enforceSize();
        } catch (RuntimeException e) { // a scheduled task that throws is never run again
            LOG.log(Level.ERROR, "periodic write-back failed; it runs again at the next interval", e);
        }
    }

    /**
     * One write-back, remembering whether every replica now holds the newest snapshot: until
     * they do, the project stays marked in the state database, across restarts.
     */
    private WriteBack.Report runWriteBack(ProjectId id) throws IOException {
        try {
            WriteBack.Report r = writeBack.run(id, () -> persistClean(id));
            if (r.ok()) {
                unsynced.remove(id);
            } else {
                unsynced.add(id);
            }
            return r;
        } catch (IOException | RuntimeException e) {
            unsynced.add(id);
            throw e;
        }
    }

    // ------------------------------------------------------------------ eviction

    /** Tells the cache which projects the mount has files open in: those are never evicted. */
    @Override
    public void inUse(java.util.function.Predicate<ProjectId> predicate) {
        this.inUse = predicate;
    }

    /**
     * Evicts least recently used projects while the cache is over its size. Only projects that
     * every replica holds up to their newest snapshot go; dirty, conflicted, open or busy ones
     * stay, and the log says so when only such are left.
     */
    public void enforceSize() {
        if (config.cacheSize() <= 0) {
            return;
        }
        long used;
        List<ProjectId> byAge;
        try {
            used = 0;
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
        Map<ProjectId, Long> accessed = new java.util.HashMap<>(lastAccess); // a snapshot: FUSE threads update it
        byAge = new ArrayList<>(local.keySet());
        byAge.sort(java.util.Comparator.comparingLong(id -> accessed.getOrDefault(id, 0L)));
        List<String> kept = new ArrayList<>();
        long recent = clock.millis() - config.freshness().toMillis();
        for (ProjectId id : byAge) {
            if (used <= config.cacheSize()) {
                return;
            }
            if (accessed.getOrDefault(id, 0L) > recent) {
                kept.add(id + " (in use right now)");
                continue;
            }
            DatasetInfo info = local.get(id);
            long size = info == null ? 0 : info.used();
            Optional<String> why = evict(id);
            if (why.isEmpty()) {
                used -= size;
            } else {
                kept.add(id + " (" + why.get() + ")");
            }
        }
        if (used > config.cacheSize()) {
            LOG.log(Level.WARNING, "the cache uses " + used + " bytes, over its size of " + config.cacheSize()
                    + ", and nothing more can be evicted: " + String.join("; ", kept));
        }
    }

    /**
     * Evicts one project: writes it back if needed, and only if every replica then holds its
     * newest snapshot, unmounts and destroys the local copy.
     *
     * @return empty if evicted, otherwise why not
     */
    public Optional<String> evict(ProjectId id) {
        synchronized (lockFor(id)) {
            if (!local.containsKey(id)) {
                return Optional.of("not cached here");
            }
            if (writeBack.conflict(id).isPresent()) {
                return Optional.of("conflicted: " + writeBack.conflict(id).get());
            }
            if (inUse.test(id)) {
                return Optional.of("files are open in it");
            }
            if (opening.containsKey(id)) {
                return Optional.of("it is being fetched");
            }
            try {
                WriteBack.Report r = runWriteBack(id); // also checks every replica
                if (!r.ok() || dirty.containsKey(id)) {
                    return Optional.of("not every replica holds its newest snapshot: " + r.outcomes());
                }
                DatasetName ds = config.cacheRoot().child(id);
                Path dir = mounted.remove(id); // new operations now wait for this lock
                fresh.invalidate(id);
                if (inUse.test(id) || dirty.containsKey(id)) {
                    if (dir != null) {
                        mounted.put(id, dir);
                    }
                    return Optional.of("it changed or a file was opened while it was being evicted");
                }
                zfs.unmount(ds);
                if (dirty.containsKey(id)) { // a change that slipped in before the unmount: keep it
                    zfs.mount(ds, config.mountBase().resolve(id.toString()));
                    mounted.put(id, config.mountBase().resolve(id.toString()));
                    return Optional.of("it changed while it was being evicted");
                }
                zfs.destroyDataset(ds);
                local.remove(id);
                fresh.invalidate(id);
                state.remove(id);
                LOG.log(Level.INFO, "evicted " + id + " (every replica holds " + r.newest().map(Object::toString)
                        .orElse("it") + ")");
                return Optional.empty();
            } catch (io.zproj.zfs.DatasetBusyException e) {
                return Optional.of("its mount is busy");
            } catch (IOException | RuntimeException e) {
                return Optional.of("eviction failed: " + e.getMessage());
            }
        }
    }

    private void persistClean(ProjectId id) {
        try {
            state.put(id, new CacheState.Entry(false, mounted.containsKey(id), clock.millis()));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot record that " + id + " is written back: " + e.getMessage());
        }
    }

    /** What {@link #sync} did for each project and replica; {@code ok} if every replica holds every newest snapshot. */
    public record SyncReport(List<String> lines, boolean ok) {}

    /**
     * Writes back now, and returns when every replica has acked or says which did not: one
     * project, or every cached project. A project without changes is not snapshotted; a replica
     * that already holds the newest snapshot is sent nothing.
     */
    public SyncReport sync(Optional<ProjectId> only) {
        List<ProjectId> ids = only.map(List::of).orElseGet(() -> new ArrayList<>(local.keySet()));
        List<String> lines = new ArrayList<>();
        boolean ok = true;
        for (ProjectId id : ids) {
            if (!local.containsKey(id)) {
                lines.add(id + ": not cached here");
                ok = false;
                continue;
            }
            try {
                WriteBack.Report r = runWriteBack(id);
                lines.addAll(WriteBack.lines(r));
                ok &= r.ok();
            } catch (IOException | RuntimeException e) {
                lines.add(id + ": write-back failed: " + e.getMessage());
                ok = false;
            }
        }
        return new SyncReport(lines, ok);
    }

    /**
     * Settles a conflict explicitly. {@code keepLocal}: each diverged replica's copy is set aside
     * on that replica (renamed, kept with its snapshots) and replaced by the local copy.
     * Otherwise the first diverged replica wins: the local copy is set aside locally (renamed,
     * kept), the winner's copy is fetched, and every other replica that does not already hold it
     * is set aside and replaced the same way. Nothing is ever destroyed.
     *
     * @return what was done, one line each
     */
    public List<String> resolve(ProjectId id, boolean keepLocal) throws IOException {
        List<InetSocketAddress> diverged = writeBack.diverged(id);
        if (writeBack.conflict(id).isEmpty() || diverged.isEmpty()) {
            throw new CacheException(id + " is not conflicted");
        }
        List<String> done = new ArrayList<>();
        synchronized (lockFor(id)) {
            writeBack.lock(id);
            try {
                resolveLocked(id, keepLocal, diverged, done);
            } finally {
                writeBack.unlock(id);
            }
        }
        LOG.log(Level.WARNING, "resolved the conflict of " + id + " keeping the " + (keepLocal ? "local" : "remote")
                + " copy: " + String.join("; ", done));
        return done;
    }

    private void resolveLocked(ProjectId id, boolean keepLocal, List<InetSocketAddress> diverged, List<String> done)
            throws IOException {
        {
            if (keepLocal) {
                for (InetSocketAddress server : diverged) {
                    String keptAs = transfers.setAsideAndPush(id, config.cacheRoot(), server);
                    done.add(Addresses.format(server) + ": its copy is kept as " + keptAs
                            + "; it now holds the local copy");
                }
            } else {
                if (inUse.test(id)) {
                    throw new CacheException("files are open in " + id + "; close them to replace the local copy");
                }
                InetSocketAddress winner = diverged.get(0);
                DatasetName ds = config.cacheRoot().child(id);
                String keptAs = io.zproj.zfs.Snapshots.setAsideName(id, clock);
                zfs.unmount(ds);
                mounted.remove(id);
                zfs.rename(ds, config.cacheRoot().child(keptAs));
                local.remove(id);
                dirty.remove(id);
                fresh.invalidate(id);
                state.remove(id);
                done.add("the local copy is kept as " + config.cacheRoot().child(keptAs));
                ProjectTransfers.PullOutcome pulled = transfers.pull(id, config.cacheRoot(), List.of(winner),
                        TransferListener.NONE);
                local.put(id, zfs.datasetInfo(ds));
                done.add("fetched " + pulled.snapshot() + " from " + Addresses.format(winner));
                for (InetSocketAddress other : config.servers()) {
                    if (other.equals(winner)) {
                        continue;
                    }
                    try {
                        ProjectTransfers.PushOutcome out = transfers.pushNewest(id, config.cacheRoot(), other,
                                TransferListener.NONE);
                        done.add(Addresses.format(other) + ": " + (out.upToDate() ? "already holds it" : "caught up"));
                    } catch (DivergedException e) {
                        String aside = transfers.setAsideAndPush(id, config.cacheRoot(), other);
                        done.add(Addresses.format(other) + ": its copy is kept as " + aside + "; it now holds "
                                + pulled.snapshot());
                    }
                }
            }
            writeBack.resolved(id);
            unsynced.remove(id);
        }
    }

    /** One cached project as {@code zproj status} shows it. */
    public record ProjectStatus(ProjectId id, long sizeBytes, String state, Optional<String> conflict,
            Optional<SnapshotEntry> localNewest, Map<InetSocketAddress, WriteBack.ReplicaState> replicas,
            boolean fetching, boolean writingBack, boolean mounted, Optional<Transfers.Progress> transfer) {}

    /** Every cached project: size, clean/dirty/conflicted, what each replica holds, what is in progress. */
    public List<ProjectStatus> status() {
        List<ProjectStatus> out = new ArrayList<>();
        List<ProjectId> ids = new ArrayList<>(local.keySet());
        ids.sort(null);
        for (ProjectId id : ids) {
            Optional<String> conflict = writeBack.conflict(id);
            String st = conflict.isPresent() ? "conflicted" : dirty.containsKey(id) ? "dirty" : "clean";
            Optional<SnapshotEntry> newest;
            long size;
            try {
                newest = zfs.newestSnapshot(config.cacheRoot().child(id)).map(ProjectTransfers::entry);
                size = zfs.datasetInfo(config.cacheRoot().child(id)).used();
            } catch (IOException e) {
                newest = Optional.empty();
                DatasetInfo info = local.get(id);
                size = info == null ? 0 : info.used();
            }
            out.add(new ProjectStatus(id, size, st, conflict, newest, writeBack.replicas(id), opening.containsKey(id),
                    writeBack.running(id), mounted.containsKey(id), transfersInProgress.of(id)));
        }
        return out;
    }

    /** Unmounts every backing mount (data and state stay), stops background work. */
    @Override
    public void close() {
        refresher.shutdownNow();
        writeBacks.shutdown();
        faults.shutdown();
        awaitQuietly(writeBacks);
        awaitQuietly(faults);
        java.util.Set<ProjectId> toWrite = new java.util.HashSet<>(dirty.keySet());
        toWrite.addAll(unsynced);
        for (ProjectId id : toWrite) { // shutdown writes back what changed, and what a replica still lacks
            if (local.containsKey(id)) {
                try {
                    WriteBack.Report r = runWriteBack(id);
                    if (!r.ok()) {
                        LOG.log(Level.WARNING, "at shutdown, " + id + " is not on every replica: " + r.outcomes()
                                + "; it stays marked and is written back at the next start");
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "write-back of " + id + " at shutdown failed: " + e.getMessage());
                }
            }
        }
        writeBack.close();
        for (Map.Entry<ProjectId, Path> m : mounted.entrySet()) {
            try {
                zfs.unmount(config.cacheRoot().child(m.getKey()));
                boolean marked = dirty.containsKey(m.getKey()) || unsynced.contains(m.getKey());
                state.put(m.getKey(), new CacheState.Entry(marked, false, clock.millis()));
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot unmount " + m.getValue() + ": " + e.getMessage());
            }
        }
        mounted.clear();
        state.close();
    }
}
