package io.zproj.cache;

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
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The local pool of faulted-in projects and the namespace of every project the servers know.
 *
 * <p>A local project is a dataset {@code <cacheRoot>/<uuid>}, mounted (its <em>backing</em>
 * mount) at {@code <stateDir>/mnt/<uuid>} and bound over {@code <mountpoint>/<uuid>} (its
 * <em>native</em> mount, see {@link NativeMounts}), so that the daemon is out of its data path.
 * The parts, by name:
 * <ul>
 * <li><b>namespace</b>: {@link #refreshList}, {@link #projects}, {@link #attributes};</li>
 * <li><b>fault-in</b>: {@link #open} fetches on first look (one fetch however many ask),
 *     mounts the backing dataset, then asks for the native mount on another thread;</li>
 * <li><b>refresh</b>: after each list refresh, a clean project a replica is ahead of is
 *     unmounted, received into and mounted again, so no stale kernel entry survives; a project
 *     in use is left as it is and shown behind in {@link #status};</li>
 * <li><b>change detection</b>: ZFS says what changed ({@link Zfs#changedChildren}), whoever
 *     wrote it, also while the daemon was down; write-back snapshots only what changed;</li>
 * <li><b>mount bound</b>: at most {@link CacheConfig#maxMounted} projects mounted; the least
 *     recently opened idle ones are unmounted and mounted again on their next access;</li>
 * <li><b>eviction</b>: {@link #evict} and {@link #enforceSize}; never a project in use.</li>
 * </ul>
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
    /** Backing directories of projects whose dataset is mounted. */
    private final Map<ProjectId, Path> backing = new ConcurrentHashMap<>();
    private final Map<ProjectId, CompletableFuture<Path>> opening = new ConcurrentHashMap<>();
    /** Projects ZFS last said have changes not yet snapshotted. */
    private final Set<ProjectId> dirty = ConcurrentHashMap.newKeySet();
    /** Projects a replica is ahead of that could not be refreshed (in use): how many snapshots behind, -1 unknown. */
    private final Map<ProjectId, Integer> behind = new ConcurrentHashMap<>();
    private final Set<ProjectId> refreshing = ConcurrentHashMap.newKeySet();
    /**
     * The local snapshots (GUIDs) and newest one of each project as last listed, so that a list
     * refresh that brings nothing new costs no zfs command; refreshed whenever a listed head is
     * not among them. Only ever stale towards asking ZFS again.
     */
    private final Map<ProjectId, Set<Long>> knownSnapshots = new ConcurrentHashMap<>();
    private final Map<ProjectId, Long> heads = new ConcurrentHashMap<>();
    private final AtomicLong bytesFetched = new AtomicLong();
    private final ExecutorService faults = Executors.newCachedThreadPool(Threads.named("zproj-fault-in"));
    /** Native mounts are made here, never on a thread answering FUSE. */
    private final ExecutorService mounter = Executors.newSingleThreadExecutor(Threads.named("zproj-native-mount"));
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            Threads.named("zproj-list-refresh"));
    private final ScheduledExecutorService writeBacks = Executors.newSingleThreadScheduledExecutor(
            Threads.named("zproj-write-back-tick"));
    private final WriteBack writeBack;
    private final Map<ProjectId, Long> lastAccess = new ConcurrentHashMap<>();
    /** Projects some replica does not hold the newest snapshot of (as of their last write-back). */
    private final Set<ProjectId> unsynced = ConcurrentHashMap.newKeySet();
    private final Transfers transfersInProgress = new Transfers();
    private final Map<ProjectId, Object> projectLocks = new ConcurrentHashMap<>();
    private final Map<ProjectId, Object> bindLocks = new ConcurrentHashMap<>();
    private volatile Predicate<ProjectId> inUse = id -> false;
    private volatile NativeMounts natives;
    /** Projects mounted natively, or queued to be: what the FUSE threads check, without reading the mount table. */
    private final Set<ProjectId> nativeWanted = ConcurrentHashMap.newKeySet();

    private ProjectCache(Zfs zfs, Transport transport, String clientName, CacheConfig config, Clock clock,
            CacheState state) {
        this.zfs = zfs;
        this.transport = transport;
        this.transfers = new ProjectTransfers(zfs, transport, clientName);
        this.config = config;
        this.clock = clock;
        this.state = state;
        this.writeBack = new WriteBack(zfs, transfers, config, clock, transfersInProgress);
    }

    /**
     * Opens the cache: finds the projects already local (mounting none yet, see {@link #attach}),
     * asks ZFS which of them changed (also while no daemon ran), loads the state, and starts
     * refreshing the project list and writing back in the background.
     */
    public static ProjectCache open(Zfs zfs, Transport transport, String clientName, CacheConfig config, Clock clock)
            throws IOException {
        if (!zfs.exists(config.cacheRoot())) {
            throw new CacheException("cache root " + config.cacheRoot() + " does not exist; create it first");
        }
        if (!"off".equals(zfs.getProperty(config.cacheRoot(), "atime"))) {
            zfs.setProperty(config.cacheRoot(), "atime", "off"); // reading is not a change; inherited by every project
        }
        createPrivateDir(config.stateDir());
        createPrivateDir(config.mountBase());
        CacheState state = CacheState.open(config.stateDir().resolve("state"));
        ProjectCache cache = new ProjectCache(zfs, transport, clientName, config, clock, state);
        try {
            for (DatasetInfo d : zfs.listChildren(config.cacheRoot())) {
                if (ProjectId.isValid(d.name().leaf())) {
                    ProjectId id = ProjectId.parse(d.name().leaf());
                    cache.local.put(id, d);
                    if (zfs.isMounted(d.name())) { // left mounted by a daemon that did not stop cleanly
                        cache.backing.put(id, config.mountBase().resolve(id.toString()));
                    }
                }
            }
            state.all().forEach((id, e) -> {
                cache.lastAccess.put(id, e.lastAccessMillis());
                if (e.unsynced()) {
                    cache.unsynced.add(id);
                }
            });
            cache.detectChanges();
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

    /** A directory only its owner (root) can enter: {@code <state>} and the backing mounts under {@code mnt/}. */
    private static void createPrivateDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    /**
     * Starts serving local projects natively under {@code mountpoint} (the running FUSE mount):
     * the cached projects are mounted over their directories in the background, most recently
     * used first, up to {@link CacheConfig#maxMounted}.
     */
    @Override
    public void attach(Path mountpoint) {
        natives = new NativeMounts(mountpoint);
        List<ProjectId> byRecency = new ArrayList<>(local.keySet());
        Map<ProjectId, Long> accessed = new HashMap<>(lastAccess);
        byRecency.sort(Comparator.comparingLong((ProjectId id) -> accessed.getOrDefault(id, 0L)).reversed());
        int n = 0;
        for (ProjectId id : byRecency) {
            if (n++ >= config.maxMounted()) {
                break;
            }
            mounter.execute(() -> mountCached(id));
        }
    }

    private void mountCached(ProjectId id) {
        try {
            synchronized (lockFor(id)) {
                if (local.containsKey(id) && !backing.containsKey(id) && backing.size() < config.maxMounted()) {
                    if (!dirty.contains(id)) {
                        pullLocked(id, true); // not mounted yet: what it receives shows
                    }
                    mountBacking(id);
                }
            }
            bindNow(id);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot mount the cached project " + id + ": " + e.getMessage()
                    + "; it is mounted on its next access");
        }
    }

    // ------------------------------------------------------------------ namespace

    /**
     * Asks every server for its list now (it also happens every list-refresh interval); keeps the
     * newest snapshot per project. A server that fails takes nothing away. Then refreshes every
     * mounted clean project that a replica is ahead of (see {@link #refreshMounted}).
     */
    public void refreshList() {
        try {
            refreshListOnce();
            refreshBehind();
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
        DatasetInfo d = local.get(id); // a local project stays, listed or not: its mount must not be detached
        if (d != null) {
            return Optional.of(new ProjectAttributes(clock.instant().getEpochSecond(), d.used()));
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ fault-in

    @Override
    public Optional<Path> ready(ProjectId id) {
        return Optional.ofNullable(backing.get(id));
    }

    @Override
    public Path open(ProjectId id) throws IOException {
        lastAccess.put(id, clock.millis());
        Path ready = backing.get(id);
        if (ready != null) {
            requestNative(id);
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

    /** The one fetch and mount of a project in flight, started if there is none. */
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

    private Object lockFor(ProjectId id) {
        return projectLocks.computeIfAbsent(id, k -> new Object());
    }

    /**
     * The lock between making a native mount and taking a project's mounts away. A bind waits
     * in the kernel for every request the daemon is answering inside that directory, and one of
     * them may be waiting for a fault-in, which holds the project's lock: so the bind must not
     * hold it. Taken after the project's lock, never before; while it is held, the backing mount
     * stays, so a request waiting on it finds the project ready without the project's lock.
     */
    private Object bindLockFor(ProjectId id) {
        return bindLocks.computeIfAbsent(id, k -> new Object());
    }

    /** Brings the project local and current (unless it has local changes), mounts it, returns its directory. */
    private Path fetchAndMount(ProjectId id) throws IOException {
        Path dir;
        synchronized (lockFor(id)) {
            dir = backing.get(id);
            if (dir == null) {
                boolean isLocal = local.containsKey(id);
                if (!isLocal || !dirty.contains(id)) {
                    pullLocked(id, isLocal); // not mounted: whatever it receives shows
                }
                makeRoom(id);
                dir = mountBacking(id);
            }
        }
        requestNative(id);
        if (config.cacheSize() > 0) {
            writeBacks.execute(this::enforceSize); // a fetch may have taken the cache over its size
        }
        return dir;
    }

    /** Fetches or refreshes an unmounted project; a local copy that cannot be refreshed is served as it is. */
    private void pullLocked(ProjectId id, boolean isLocal) throws IOException {
        try {
            ProjectTransfers.PullOutcome r;
            try {
                r = transfers.pull(id, config.cacheRoot(), config.servers(),
                        transfersInProgress.track(id, isLocal ? "refreshing" : "fetching"));
            } finally {
                transfersInProgress.done(id);
            }
            bytesFetched.addAndGet(r.stats().rawBytes());
            behind.remove(id);
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

    private Path mountBacking(ProjectId id) throws IOException {
        DatasetName ds = config.cacheRoot().child(id);
        Path dir = config.mountBase().resolve(id.toString());
        zfs.mount(ds, dir);
        local.put(id, zfs.datasetInfo(ds));
        backing.put(id, dir);
        touch(id);
        return dir;
    }

    /** Asks for the native mount of a project whose backing is mounted; made on the mounter thread. */
    private void requestNative(ProjectId id) {
        NativeMounts n = natives;
        if (n != null && !mounter.isShutdown() && nativeWanted.add(id)) {
            try {
                mounter.execute(() -> bindNow(id));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                nativeWanted.remove(id); // shutting down
            }
        }
    }

    private void bindNow(ProjectId id) {
        NativeMounts n = natives;
        if (n == null) {
            return;
        }
        try {
            synchronized (bindLockFor(id)) { // not the project's lock: see bindLockFor
                Path dir = backing.get(id);
                if (dir != null && MountTable.isMounted(dir)) {
                    n.bind(id, dir);
                } else {
                    nativeWanted.remove(id);
                }
            }
        } catch (IOException | RuntimeException e) {
            nativeWanted.remove(id);
            LOG.log(Level.WARNING, "cannot mount " + id + " natively (it is served through the daemon): "
                    + e.getMessage());
        }
    }

    /** Keeps the mounted projects under the bound: unmounts the least recently opened idle ones. */
    private void makeRoom(ProjectId forId) {
        if (backing.size() < config.maxMounted()) {
            return;
        }
        Map<ProjectId, Long> accessed = new HashMap<>(lastAccess);
        List<ProjectId> oldest = new ArrayList<>(backing.keySet());
        oldest.remove(forId);
        oldest.sort(Comparator.comparingLong(id -> accessed.getOrDefault(id, 0L)));
        List<String> busy = new ArrayList<>();
        for (ProjectId victim : oldest) {
            if (backing.size() < config.maxMounted()) {
                return;
            }
            if (inUse.test(victim)) {
                busy.add(victim + " (files open through the daemon)");
                continue;
            }
            try {
                synchronized (lockFor(victim)) {
                    unmountLocked(victim);
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

    /**
     * Takes a project's native and backing mounts away (never lazily).
     *
     * @throws ProjectBusyException if a process uses it; its mounts are then as they were
     */
    private void unmountLocked(ProjectId id) throws IOException {
        synchronized (bindLockFor(id)) {
            NativeMounts n = natives;
            if (n != null) {
                n.unbind(id);
                nativeWanted.remove(id);
            }
            try {
                zfs.unmount(config.cacheRoot().child(id));
            } catch (DatasetBusyException e) {
                requestNative(id); // put back what was taken
                throw new ProjectBusyException(id + " is in use",
                        Holders.of(config.mountBase().resolve(id.toString())));
            }
            backing.remove(id);
        }
    }

    private void touch(ProjectId id) {
        try {
            state.put(id, new CacheState.Entry(unsynced.contains(id), lastAccess.getOrDefault(id, clock.millis())));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot record access to " + id + ": " + e.getMessage());
        }
    }

    /** Raw stream bytes fetched from replicas since this cache was opened. */
    public long bytesFetched() {
        return bytesFetched.get();
    }

    /** Whether ZFS said, when last asked, that the project has changes not yet snapshotted. */
    public boolean isDirty(ProjectId id) {
        return dirty.contains(id);
    }

    /** Returns once every native mount asked for so far is made (or failed): for tests and tools. */
    public void settle() throws InterruptedException {
        try {
            mounter.submit(() -> { }).get();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.RejectedExecutionException e) {
            // nothing queued can fail a no-op; a stopped mounter has nothing left to do
        }
    }

    /** Whether the project is mounted natively over its directory. */
    public boolean isNative(ProjectId id) {
        NativeMounts n = natives;
        return n != null && n.isBound(id);
    }

    // ------------------------------------------------------------------ refresh

    /**
     * Refreshes each mounted clean project whose replica's head is not the local head, in
     * parallel, and returns when they are done (or deferred because they are in use).
     */
    private void refreshBehind() {
        Map<ProjectId, ProjectEntry> listed = remote;
        boolean stale = false;
        for (ProjectId id : backing.keySet()) { // one zfs listing only when a listed head is news to this host
            ProjectEntry e = listed.get(id);
            if (e != null && e.newest().isPresent()
                    && !knownSnapshots.getOrDefault(id, Set.of()).contains(e.newest().get().guid())) {
                stale = true;
                break;
            }
        }
        Map<DatasetName, List<Snapshot>> snapshots = Map.of();
        if (stale) {
            try {
                snapshots = zfs.listChildSnapshots(config.cacheRoot());
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot list the local snapshots: " + e.getMessage());
                return;
            }
            snapshots.forEach((ds, list) -> {
                if (ProjectId.isValid(ds.leaf())) {
                    ProjectId id = ProjectId.parse(ds.leaf());
                    knownSnapshots.put(id, list.stream().map(Snapshot::guid).collect(java.util.stream.Collectors.toSet()));
                    if (!list.isEmpty()) {
                        heads.put(id, list.get(list.size() - 1).guid());
                    }
                }
            });
        }
        List<CompletableFuture<Void>> started = new ArrayList<>();
        remountNative();
        for (ProjectId id : backing.keySet()) {
            ProjectEntry e = listed.get(id);
            Long head = heads.get(id);
            if (e == null || e.newest().isEmpty() || head == null) {
                continue;
            }
            long theirs = e.newest().get().guid();
            if (theirs == head) {
                behind.remove(id);
                continue;
            }
            if (knownSnapshots.getOrDefault(id, Set.of()).contains(theirs)) {
                continue; // the local copy is ahead: write-back's to do
            }
            if (!dirty.contains(id) && writeBack.conflict(id).isEmpty() && refreshing.add(id)) {
                started.add(CompletableFuture.runAsync(() -> {
                    try {
                        refreshMounted(id);
                    } finally {
                        refreshing.remove(id);
                    }
                }, faults));
            }
        }
        CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).join(); // in parallel, done when this returns
    }

    /** Asks again for the native mount of each mounted project that lacks one (someone unmounted it). */
    private void remountNative() {
        NativeMounts n = natives;
        if (n == null || backing.isEmpty()) {
            return;
        }
        try {
            Set<Path> mounted = new HashSet<>();
            MountTable.read().forEach(m -> mounted.add(m.mountpoint()));
            for (ProjectId id : backing.keySet()) {
                if (!mounted.contains(n.dir(id)) && nativeWanted.remove(id)) {
                    requestNative(id);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot read the mount table: " + e.getMessage());
        }
    }

    /**
     * Refreshes a mounted clean project: unmounts it (native and backing), receives, mounts it
     * again, so that the kernel holds no entry from before the receive. In use: left as it is,
     * and {@link #status} shows how far behind.
     */
    void refreshMounted(ProjectId id) {
        try {
            synchronized (lockFor(id)) {
                if (!backing.containsKey(id) || dirty.contains(id)) {
                    return;
                }
                if (inUse.test(id)) {
                    deferRefresh(id, "files are open in it through the daemon");
                    return;
                }
                try {
                    unmountLocked(id);
                } catch (ProjectBusyException e) {
                    deferRefresh(id, e.getMessage());
                    return;
                }
                try {
                    pullLocked(id, true);
                } finally {
                    mountBacking(id);
                }
            }
            requestNative(id);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "refresh of " + id + " failed: " + e.getMessage());
        }
    }

    private void deferRefresh(ProjectId id, String why) {
        int n = snapshotsBehind(id);
        Integer before = behind.put(id, n);
        if (before == null || before != n) {
            LOG.log(Level.INFO, "not refreshing " + id + " now (" + why + "): it is " + (n < 0 ? "behind" : n
                    + " snapshot(s) behind") + "; it is refreshed once it is no longer in use");
        }
    }

    /** How many snapshots the best replica has after the local head; -1 if that cannot be told. */
    private int snapshotsBehind(ProjectId id) {
        try {
            Optional<Snapshot> head = zfs.newestSnapshot(config.cacheRoot().child(id));
            ProjectTransfers.Ranking r = transfers.rank(id, config.servers());
            if (head.isEmpty() || r.candidates().isEmpty()) {
                return -1;
            }
            List<SnapshotEntry> theirs = r.candidates().get(0).info().snapshots();
            for (int i = 0; i < theirs.size(); i++) {
                if (theirs.get(i).guid() == head.get().guid()) {
                    return theirs.size() - 1 - i;
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    // ------------------------------------------------------------------ change detection and write-back

    /** Asks ZFS which local projects changed since their newest snapshot; remembers the answer. */
    private Set<ProjectId> detectChanges() throws IOException {
        Set<ProjectId> changed = new HashSet<>();
        for (DatasetName ds : zfs.changedChildren(config.cacheRoot())) {
            if (ProjectId.isValid(ds.leaf())) {
                changed.add(ProjectId.parse(ds.leaf()));
            }
        }
        dirty.retainAll(changed);
        dirty.addAll(changed);
        return changed;
    }

    /** The periodic write-back: every project ZFS says changed, or with a replica due for a retry. */
    private void writeBackDue() {
        try {
            Set<ProjectId> changed;
            try {
                changed = detectChanges();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot ask ZFS what changed: " + e.getMessage());
                return;
            }
            for (ProjectId id : new ArrayList<>(local.keySet())) {
                if (changed.contains(id) || writeBack.retryDue(id)) {
                    try {
                        runWriteBack(id, changed.contains(id));
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
    private WriteBack.Report runWriteBack(ProjectId id, boolean changed) throws IOException {
        try {
            WriteBack.Report r = writeBack.run(id, changed);
            if (r.snapshotted()) {
                dirty.remove(id);
            }
            if (r.ok()) {
                unsynced.remove(id);
            } else {
                unsynced.add(id);
            }
            touch(id);
            return r;
        } catch (IOException | RuntimeException e) {
            unsynced.add(id);
            touch(id);
            throw e;
        }
    }

    // ------------------------------------------------------------------ eviction

    /** Tells the cache which projects the mount has files open in through the daemon: those are never unmounted. */
    @Override
    public void inUse(Predicate<ProjectId> predicate) {
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
        Map<ProjectId, Long> accessed = new HashMap<>(lastAccess); // a snapshot: FUSE threads update it
        List<ProjectId> byAge = new ArrayList<>(local.keySet());
        byAge.sort(Comparator.comparingLong(id -> accessed.getOrDefault(id, 0L)));
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
     * newest snapshot and no process uses it, unmounts and destroys the local copy.
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
            NativeMounts n = natives;
            List<String> holders = n == null ? List.of() : Holders.of(n.dir(id));
            if (!holders.isEmpty()) {
                return Optional.of("it is in use: " + String.join("; ", holders));
            }
            try {
                boolean changed = detectChanges().contains(id);
                WriteBack.Report r = runWriteBack(id, changed); // also checks every replica
                if (!r.ok()) {
                    return Optional.of("not every replica holds its newest snapshot: " + r.outcomes());
                }
                unmountLocked(id);
                if (detectChanges().contains(id)) { // a change that slipped in before the unmount: keep it
                    mountBacking(id);
                    requestNative(id);
                    return Optional.of("it changed while it was being evicted");
                }
                zfs.destroyDataset(config.cacheRoot().child(id));
                local.remove(id);
                behind.remove(id);
                state.remove(id);
                LOG.log(Level.INFO, "evicted " + id + " (every replica holds " + r.newest().map(Object::toString)
                        .orElse("it") + ")");
                return Optional.empty();
            } catch (ProjectBusyException e) {
                return Optional.of(e.getMessage());
            } catch (IOException | RuntimeException e) {
                return Optional.of("eviction failed: " + e.getMessage());
            }
        }
    }

    /** What {@link #sync} did for each project and replica; {@code ok} if every replica holds every newest snapshot. */
    public record SyncReport(List<String> lines, boolean ok) {}

    /**
     * Writes back now, and returns when every replica has acked or says which did not: one
     * project, or every cached project. A project ZFS finds unchanged is not snapshotted; a
     * replica that already holds the newest snapshot is sent nothing.
     */
    public SyncReport sync(Optional<ProjectId> only) {
        List<ProjectId> ids = only.map(List::of).orElseGet(() -> new ArrayList<>(local.keySet()));
        List<String> lines = new ArrayList<>();
        boolean ok = true;
        Set<ProjectId> changed;
        try {
            changed = detectChanges();
        } catch (IOException e) {
            return new SyncReport(List.of("cannot ask ZFS what changed: " + e.getMessage()), false);
        }
        for (ProjectId id : ids) {
            if (!local.containsKey(id)) {
                lines.add(id + ": not cached here");
                ok = false;
                continue;
            }
            try {
                WriteBack.Report r = runWriteBack(id, changed.contains(id));
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
        requestNative(id);
        LOG.log(Level.WARNING, "resolved the conflict of " + id + " keeping the " + (keepLocal ? "local" : "remote")
                + " copy: " + String.join("; ", done));
        return done;
    }

    private void resolveLocked(ProjectId id, boolean keepLocal, List<InetSocketAddress> diverged, List<String> done)
            throws IOException {
        if (keepLocal) {
            for (InetSocketAddress server : diverged) {
                String keptAs = transfers.setAsideAndPush(id, config.cacheRoot(), server);
                done.add(Addresses.format(server) + ": its copy is kept as " + keptAs + "; it now holds the local copy");
            }
        } else {
            if (inUse.test(id)) {
                throw new CacheException("files are open in " + id + "; close them to replace the local copy");
            }
            InetSocketAddress winner = diverged.get(0);
            DatasetName ds = config.cacheRoot().child(id);
            String keptAs = io.zproj.zfs.Snapshots.setAsideName(id, clock);
            unmountLocked(id);
            zfs.rename(ds, config.cacheRoot().child(keptAs));
            local.remove(id);
            dirty.remove(id);
            state.remove(id);
            done.add("the local copy is kept as " + config.cacheRoot().child(keptAs));
            ProjectTransfers.PullOutcome pulled = transfers.pull(id, config.cacheRoot(), List.of(winner),
                    TransferListener.NONE);
            mountBacking(id);
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

    // ------------------------------------------------------------------ status

    /** One cached project as {@code zproj status} shows it; {@code behind} counts snapshots, -1 unknown. */
    public record ProjectStatus(ProjectId id, long sizeBytes, String state, Optional<String> conflict,
            Optional<SnapshotEntry> localNewest, Map<InetSocketAddress, WriteBack.ReplicaState> replicas,
            boolean fetching, boolean writingBack, boolean mounted, boolean nativeMount, Optional<Integer> behind,
            Optional<Transfers.Progress> transfer) {}

    /** Every cached project: size, clean/dirty/conflicted, what each replica holds, what is in progress. */
    public List<ProjectStatus> status() {
        List<ProjectStatus> out = new ArrayList<>();
        List<ProjectId> ids = new ArrayList<>(local.keySet());
        ids.sort(null);
        for (ProjectId id : ids) {
            Optional<String> conflict = writeBack.conflict(id);
            String st = conflict.isPresent() ? "conflicted" : dirty.contains(id) ? "dirty" : "clean";
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
                    writeBack.running(id), backing.containsKey(id), isNative(id), Optional.ofNullable(behind.get(id)),
                    transfersInProgress.of(id)));
        }
        return out;
    }

    // ------------------------------------------------------------------ shutdown

    /**
     * Takes every native mount away, so that the namespace mount can go: a project in use is
     * left mounted and its holders are logged.
     *
     * @return the projects that are still mounted natively, with who holds them
     */
    @Override
    public List<String> detachNative() {
        NativeMounts n = natives;
        List<String> busy = new ArrayList<>();
        if (n == null) {
            return busy;
        }
        mounter.shutdown();
        awaitQuietly(mounter);
        for (ProjectId id : new ArrayList<>(local.keySet())) {
            try {
                n.unbind(id);
                nativeWanted.remove(id);
            } catch (IOException e) {
                busy.add(e.getMessage());
                LOG.log(Level.WARNING, "cannot unmount " + n.dir(id) + ": " + e.getMessage());
            }
        }
        return busy;
    }

    /** Writes back what changed, unmounts every backing mount (data and state stay), stops background work. */
    @Override
    public void close() {
        detachNative();
        refresher.shutdownNow();
        writeBacks.shutdown();
        faults.shutdown();
        mounter.shutdown();
        awaitQuietly(writeBacks);
        awaitQuietly(faults);
        awaitQuietly(mounter);
        Set<ProjectId> toWrite = new HashSet<>(unsynced);
        try {
            toWrite.addAll(detectChanges());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot ask ZFS what changed at shutdown (" + e.getMessage()
                    + "); the next start asks again");
        }
        for (ProjectId id : toWrite) { // shutdown writes back what changed, and what a replica still lacks
            if (local.containsKey(id)) {
                try {
                    WriteBack.Report r = runWriteBack(id, dirty.contains(id));
                    if (!r.ok()) {
                        LOG.log(Level.WARNING, "at shutdown, " + id + " is not on every replica: " + r.outcomes()
                                + "; it is written back at the next start");
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "write-back of " + id + " at shutdown failed: " + e.getMessage());
                }
            }
        }
        writeBack.close();
        for (ProjectId id : new ArrayList<>(backing.keySet())) {
            try {
                zfs.unmount(config.cacheRoot().child(id));
                backing.remove(id);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot unmount " + backing.get(id) + ": " + e.getMessage());
            }
        }
        state.close();
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
}
