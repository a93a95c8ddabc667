package io.zproj.cache;

import io.zproj.transport.ProjectEntry;
import io.zproj.transport.SnapshotEntry;
import io.zproj.transport.Transport;
import io.zproj.zfs.DatasetInfo;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A client node's projects: the namespace of every project the servers know, and the local pool
 * of those faulted in. It wires the parts, each found by its name:
 * <ul>
 * <li>{@link ProjectList}: what the servers list (the namespace, {@link #refreshList});</li>
 * <li>{@link LocalProjects}: the local datasets, their backing mounts, the bound on mounts;</li>
 * <li>{@link NativeMounts}: each local project mounted over {@code <mountpoint>/<uuid>};</li>
 * <li>{@link FaultIn}: the first look fetches, one fetch however many ask ({@link #open});</li>
 * <li>{@link Refresher}: a mounted clean project a replica is ahead of is unmounted, received
 *     into and mounted again;</li>
 * <li>{@link Changes} and {@link WriteBacks}: ZFS says what changed; write-back snapshots that
 *     and sends it to every replica ({@link #sync});</li>
 * <li>{@link Eviction} ({@link #evict}, {@link #enforceSize}) and {@link Conflicts} ({@link #resolve}).</li>
 * </ul>
 * Thread-safe: FUSE threads call the {@link Namespace} methods concurrently, which never wait on
 * the network except for a project's first fetch.
 */
public final class ProjectCache implements Namespace, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ProjectCache.class.getName());
    /** How long a refresh that a watched change triggers waits at most: spread over this, hosts do not stampede. */
    static final java.time.Duration REFRESH_JITTER = java.time.Duration.ofSeconds(2);

    private final Zfs zfs;
    private final CacheConfig config;
    private final Clock clock;
    private final Fleet list;
    private final LocalProjects local;
    private final NativeMounts natives = new NativeMounts();
    private final Changes changes;
    private final WriteBack writeBack;
    private final WriteBacks writeBacks;
    private final FaultIn faultIn;
    private final Refresher refresher;
    private final Eviction eviction;
    private final ReplicaBases bases;
    private final CacheMeters meters;
    private final SnapshotViews views;
    private final ProjectTransfers transfers;
    private final Conflicts conflicts;
    private final WriteAccess access;
    private final Transfers transfersInProgress = new Transfers();
    private final ExecutorService faults = Executors.newCachedThreadPool(Threads.named("zproj-fault-in"));
    private final ScheduledExecutorService listTicks = Executors.newSingleThreadScheduledExecutor(
            Threads.named("zproj-list-refresh"));
    private final ScheduledExecutorService writeBackTicks = Executors.newSingleThreadScheduledExecutor(
            Threads.named("zproj-write-back-tick"));

    private ProjectCache(Zfs zfs, Transport transport, String clientName, CacheConfig config, Clock clock,
            CacheState state) {
        this.zfs = zfs;
        this.config = config;
        this.clock = clock;
        this.transfers = new ProjectTransfers(zfs, transport, clientName);
        this.list = config.etcd().isEmpty() ? new PolledFleet(transport, config.servers())
                : EtcdFleet.start(config.etcd(), transport.tls(), clientName);
        this.local = new LocalProjects(zfs, config, clock, state, natives, membership::incrementAndGet);
        // a watched fleet's view changed: listed at once, though the refresh it sets off waits its jitter
        // (a polled fleet changes in refreshList)
        this.list.onChange(membership::incrementAndGet);
        this.natives.backedBy(local::backing);
        this.changes = new Changes(zfs, config.cacheRoot());
        this.bases = new ReplicaBases(zfs, clock);
        this.writeBack = new WriteBack(zfs, transfers, config, list, clock, transfersInProgress, bases);
        this.writeBacks = new WriteBacks(local, changes, writeBack);
        this.faultIn = new FaultIn(zfs, local, natives, transfers, config, list, transfersInProgress, faults, bases,
                changes::has,
                id -> !changes.has(id) && !local.allUnsynced().contains(id) && writeBack.conflict(id).isEmpty());
        this.refresher = new Refresher(zfs, local, natives, faultIn, transfers, config, list, faults,
                id -> changes.has(id) || writeBack.conflict(id).isPresent());
        this.faultIn.onPulled(refresher::caughtUp);
        this.faultIn.onDivergedReplica(writeBack::diverged);
        this.eviction = new Eviction(zfs, local, natives, changes, writeBacks, writeBack, faultIn, config, clock, bases);
        transfers.onShortOfSpace(eviction::makeRoom);
        this.conflicts = new Conflicts(zfs, local, natives, writeBack, transfers, config, list, clock, bases);
        this.access = new WriteAccess(zfs, local, list,
                id -> changes.has(id) || local.allUnsynced().contains(id), writeBack::notTheWriter);
        transfers.writerRevisions(list::writerRevision);
        this.faultIn.writeAccess(access);
        this.views = new SnapshotViews(zfs, config, clock);
        writeBack.views(views);
        faultIn.views(views);
        eviction.views(views);
        conflicts.views(views);
        this.meters = new CacheMeters(clientName);
        meters.gauges(local::knownUsedBytes, config.cacheSize(), () -> local.ids().size(), () -> local.mounted().size());
        faultIn.meters(meters);
        writeBack.meters(meters);
        this.eviction.onEvicted(id -> {
            meters.evicted();
            access.forget(id);
            list.releaseWriter(id); // after its final write-back: another host may write it now
        });
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
            FaultIn.finishRefetches(zfs, config.cacheRoot());
            cache.local.load();
            cache.views.dropLeftovers();
            for (DatasetName behind : cache.bases.behind(config.cacheRoot())) {
                if (ProjectId.isValid(behind.leaf())) { // found by ZFS, whatever the state says
                    cache.local.synced(ProjectId.parse(behind.leaf()), false);
                }
            }
            cache.changes.detect();
        } catch (IOException | RuntimeException e) {
            cache.abandon();
            state.close();
            throw e;
        }
        cache.refreshList();
        if (cache.list.polls()) {
            long period = config.listRefresh().toMillis();
            cache.listTicks.scheduleWithFixedDelay(cache::refreshList, period, period, TimeUnit.MILLISECONDS);
        } else {
            // a watched fleet: act on changes after a random delay, so that a new head seen by many hosts
            // at once does not have them all fetch it from its replicas in the same instant; the changes
            // that come during the delay are acted on by the same refresh (it reads the view when it runs)
            cache.list.onChange(cache::refreshSoon);
            // and a project left behind because it was in use is tried again every interval until it
            // is refreshed, without waiting for the next change in the fleet
            long period = config.listRefresh().toMillis();
            cache.listTicks.scheduleWithFixedDelay(() -> {
                if (cache.refresher.anyDeferred()) {
                    cache.refreshSoon();
                }
            }, period, period, TimeUnit.MILLISECONDS);
        }
        long wb = config.writeBack().toMillis();
        cache.writeBackTicks.scheduleWithFixedDelay(cache::writeBackTick, wb, wb, TimeUnit.MILLISECONDS);
        return cache;
    }

    /** A directory only its owner (root) can enter: {@code <state>} and the backing mounts under {@code mnt/}. */
    static void createPrivateDir(Path dir) throws IOException {
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
        natives.attach(mountpoint);
        List<ProjectId> byRecency = local.byRecency();
        for (ProjectId id : byRecency.subList(0, Math.min(byRecency.size(), config.maxMounted()))) {
            natives.execute(() -> faultIn.mountCached(id));
        }
    }

    // ------------------------------------------------------------------ namespace

    /**
     * Asks every server for its list now (it also happens every list-refresh interval), then
     * refreshes the mounted clean projects a replica is ahead of, and returns when they are done
     * or found in use.
     */
    public void refreshList() {
        try {
            list.refresh();
            membership.incrementAndGet();
            projects(); // sorted here, not in the first listing's opendir
            refresher.refreshBehind(list.listed());
        } catch (RuntimeException e) { // a scheduled task that throws is never run again
            LOG.log(Level.ERROR, "refreshing the project list failed; it runs again at the next interval", e);
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean refreshPending = new java.util.concurrent.atomic.AtomicBoolean();

    /** Schedules one refresh after a random delay of up to {@link #REFRESH_JITTER}, unless one is pending. */
    private void refreshSoon() {
        if (refreshPending.compareAndSet(false, true)) {
            listTicks.schedule(() -> {
                refreshPending.set(false);
                refreshList();
            }, java.util.concurrent.ThreadLocalRandom.current().nextLong(REFRESH_JITTER.toMillis() + 1),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Where the project list comes from and whether it is current, for status. */
    public String fleetStatus() {
        return list.describe();
    }

    /** Bumped whenever the set of projects may have changed: the fleet's view, or a copy becoming local or going. */
    private final java.util.concurrent.atomic.AtomicLong membership = new java.util.concurrent.atomic.AtomicLong();
    private volatile SortedProjects sorted = new SortedProjects(-1, List.of());

    /** {@link #projects()} as of one {@link #membership} count. */
    private record SortedProjects(long membership, List<ProjectId> ids) {}

    /**
     * The same unmodifiable list until the set of projects changes: sorted once per possible
     * change (on the list-refresh thread after a refresh), not once per listing of
     * {@code /projects}.
     */
    @Override
    public List<ProjectId> projects() {
        long m = membership.get();
        SortedProjects s = sorted;
        if (s.membership() == m) {
            return s.ids();
        }
        Map<ProjectId, ProjectEntry> listed = list.listed();
        List<ProjectId> all = new ArrayList<>(listed.keySet());
        for (ProjectId id : local.ids()) {
            if (!listed.containsKey(id)) {
                all.add(id);
            }
        }
        all.sort(null);
        // the same set as before (a refresh or a new head that added no project) keeps its list, and with
        // it what callers made from it: /projects' encoded listing
        List<ProjectId> ids = all.equals(s.ids()) ? s.ids() : java.util.Collections.unmodifiableList(all);
        sorted = new SortedProjects(m, ids); // counted before reading: a change meanwhile makes the next call sort again
        return ids;
    }

    @Override
    public Optional<ProjectAttributes> attributes(ProjectId id) {
        ProjectEntry e = list.listed().get(id);
        if (e != null) {
            return Optional.of(new ProjectAttributes(e.newest().map(SnapshotEntry::creationEpochSecond).orElse(0L),
                    e.usedBytes()));
        }
        DatasetInfo d = local.info(id); // a local project stays, listed or not: its mount must not be detached
        if (d != null) {
            return Optional.of(new ProjectAttributes(clock.instant().getEpochSecond(), d.used()));
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ one writer per project

    private final java.util.Set<ProjectId> taking = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** In the background: takes a read-only project's free writer key (an access after its writer let go). */
    private void takeOnAccess(ProjectId id) {
        if (!taking.add(id)) {
            return;
        }
        try {
            faults.execute(() -> {
                try {
                    LOG.log(Level.INFO, take(id));
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.INFO, "not taking " + id + " on access: " + e.getMessage());
                } finally {
                    taking.remove(id);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            taking.remove(id); // shutting down
        }
    }

    /**
     * Makes this host the project's writer ({@code zproj take}): takes its writer key if it is
     * free, refreshes the local copy to the newest snapshot, then makes it writable.
     *
     * @throws IOException naming the writer if another host holds the key, or why the copy
     *                     cannot be refreshed (the key is then let go again)
     */
    public String take(ProjectId id) throws IOException {
        if (!list.hasWriterKeys()) {
            return "every host writes " + id + " (no etcd: there are no writer keys)";
        }
        if (!local.isLocal(id)) {
            faultIn.open(id);
            if (access.isReadOnly(id)) {
                throw new CacheException(id + " is written by " + list.writer(id).orElse("another host"));
            }
            return "this host writes " + id + " (fetched)";
        }
        java.util.concurrent.locks.ReentrantLock lock = local.lockFor(id);
        lock.lock();
        try {
            if (!access.isReadOnly(id)) {
                return "this host writes " + id;
            }
            if (!list.takeWriter(id)) {
                throw new CacheException(id + " is written by " + list.writer(id).orElse("another host")
                        + "; it must let go first (zproj release on that host), or its lease expire");
            }
            boolean mounted = local.backing(id) != null;
            try {
                if (behindTheFleet(id)) {
                    if (mounted) {
                        local.unmount(id);
                    }
                    try {
                        faultIn.pullLocked(id, true, mounted);
                    } finally {
                        access.apply(id, !behindTheFleet(id));
                        if (mounted) {
                            local.mountBacking(id);
                        }
                    }
                    if (access.isReadOnly(id)) {
                        throw new CacheException("the local copy of " + id + " could not be brought up to date");
                    }
                } else {
                    access.apply(id, true);
                }
            } catch (IOException | RuntimeException e) {
                list.releaseWriter(id);
                throw e;
            }
        } finally {
            lock.unlock();
        }
        natives.request(id);
        return "this host writes " + id + " now, from " + zfs.newestSnapshot(local.dataset(id))
                .map(s -> "@" + s.name().name()).orElse("its first snapshot");
    }

    /** Whether a server holds a newer head of the project than the local copy. */
    private boolean behindTheFleet(ProjectId id) throws IOException {
        ProjectEntry e = list.listed().get(id);
        if (e == null || e.newest().isEmpty()) {
            return false;
        }
        Optional<io.zproj.zfs.Snapshot> head = zfs.newestSnapshot(local.dataset(id));
        return head.isEmpty() || head.get().guid() != e.newest().get().guid();
    }

    /**
     * Lets another host write the project ({@code zproj release}): writes it back, makes the local
     * copy read-only, then lets the writer key go.
     *
     * @throws IOException if the write-back failed or a change came in meanwhile (the key is kept)
     */
    public String release(ProjectId id) throws IOException {
        if (!list.hasWriterKeys()) {
            return "every host writes " + id + " (no etcd: there are no writer keys)";
        }
        if (!local.isLocal(id) || access.isReadOnly(id)) {
            return "this host does not write " + id;
        }
        SyncReport r = sync(Optional.of(id));
        if (!r.ok()) {
            throw new CacheException("kept: the write-back failed: " + String.join("; ", r.lines()));
        }
        java.util.concurrent.locks.ReentrantLock lock = local.lockFor(id);
        lock.lock();
        try {
            access.apply(id, false);
            if (changes.detect().contains(id)) {
                access.apply(id, true);
                throw new CacheException("kept: " + id + " changed while it was written back; release it again");
            }
            list.releaseWriter(id);
        } finally {
            lock.unlock();
        }
        return "released " + id + ": written back, read-only here now";
    }

    // ------------------------------------------------------------------ fault-in and the native path

    @Override
    public Optional<Path> ready(ProjectId id) {
        accessed(id);
        return Optional.ofNullable(local.backing(id));
    }

    @Override
    public Path open(ProjectId id) throws IOException {
        accessed(id);
        return faultIn.open(id);
    }

    /**
     * An access through the namespace (a lookup, or anything served by the passthrough): if the
     * project is read-only here and its writer let go, this host takes it. Accesses on the native
     * mount do not pass the daemon; {@code zproj take} takes it at once.
     */
    private void accessed(ProjectId id) {
        if (access.isReadOnly(id) && list.writer(id).isEmpty()) {
            takeOnAccess(id);
        }
    }

    /** The cache's clock (ages in answers are told by it). */
    java.time.Clock clock() {
        return clock;
    }

    /** The snapshots of the project's local copy, oldest first; fetches the project if it is not local. */
    @Override
    public List<Snapshot> snapshots(ProjectId id) throws IOException {
        open(id);
        return zfs.listSnapshots(local.dataset(id));
    }

    /** A read-only view of one snapshot of the project's local copy; fetches the project if it is not local. */
    @Override
    public Path openSnapshot(ProjectId id, String name) throws IOException {
        open(id);
        return views.open(id, local.dataset(id), name);
    }

    /**
     * One snapshot of a project: where it is held (here, and on which replicas that answered),
     * and for the local ones its size ({@code referenced}: the tree then) and what it alone holds
     * ({@code used}: what destroying it would free).
     */
    public record SnapshotInfo(String name, java.time.Instant created, boolean local, long referencedBytes,
            long usedBytes, List<String> replicas) {}

    /**
     * The snapshots of a cached project, oldest first; with {@code remote} also those only the
     * replicas hold, and on which replicas each one is (a replica that does not answer is named
     * in {@code unreachable}). Fetches nothing.
     */
    public record SnapshotList(List<SnapshotInfo> snapshots, List<String> unreachable) {}

    public SnapshotList snapshotList(ProjectId id, boolean remote) throws IOException {
        java.util.Map<Long, SnapshotInfo> byGuid = new java.util.LinkedHashMap<>();
        if (local.isLocal(id)) {
            java.util.Map<String, java.util.Map<String, String>> props = zfs.snapshotProperties(local.dataset(id),
                    List.of("used", "referenced"));
            for (Snapshot s : zfs.listSnapshots(local.dataset(id))) {
                java.util.Map<String, String> p = props.getOrDefault(s.name().name(), java.util.Map.of());
                byGuid.put(s.guid(), new SnapshotInfo(s.name().name(), s.creation(), true,
                        parseOrZero(p.get("referenced")), parseOrZero(p.get("used")), new ArrayList<>()));
            }
        } else if (!remote) {
            throw new CacheException(id + " is not cached here; --remote lists what the replicas hold");
        }
        List<String> unreachable = new ArrayList<>();
        if (remote) {
            for (java.util.Map.Entry<InetSocketAddress, ProjectTransfers.InfoOrWhy> r
                    : transfers.infos(id, list.servers()).entrySet()) {
                if (r.getValue().info().isEmpty()) {
                    unreachable.add(io.zproj.transport.Addresses.format(r.getKey()) + ": " + r.getValue().why());
                    continue;
                }
                for (SnapshotEntry e : r.getValue().info().get().snapshots()) {
                    SnapshotInfo known = byGuid.computeIfAbsent(e.guid(), g -> new SnapshotInfo(e.name(),
                            java.time.Instant.ofEpochSecond(e.creationEpochSecond()), false, 0, 0, new ArrayList<>()));
                    known.replicas().add(io.zproj.transport.Addresses.format(r.getKey()));
                }
            }
        }
        List<SnapshotInfo> out = new ArrayList<>(byGuid.values());
        out.sort(java.util.Comparator.comparing(SnapshotInfo::created));
        return new SnapshotList(out, unreachable);
    }

    private static long parseOrZero(String v) {
        try {
            return v == null ? 0 : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * What changed in a cached project within {@code window} before now: the live tree compared
     * with the newest local snapshot taken before the window began (or the oldest one, {@code
     * sinceOldest}, if the copy's history is shorter than the window).
     */
    public record RecentChanges(String base, java.time.Instant baseCreated, boolean sinceOldest, java.time.Instant since,
            List<FileChanges.Change> changes) {}

    public RecentChanges recentChanges(ProjectId id, java.time.Duration window) throws IOException {
        if (!local.isLocal(id)) {
            throw new CacheException(id + " is not cached here: its history is in its snapshots, which a fault-in "
                    + "brings (open it, or browse /projects/.snapshots/" + id + ")");
        }
        java.time.Instant since = clock.instant().minus(window);
        List<Snapshot> snaps = zfs.listSnapshots(local.dataset(id));
        if (snaps.isEmpty()) {
            throw new CacheException(id + " has no snapshot to compare with");
        }
        Snapshot base = snaps.get(0);
        for (Snapshot s : snaps) {
            if (s.creation().isBefore(since)) {
                base = s;
            }
        }
        boolean sinceOldest = !base.creation().isBefore(since);
        Path then = views.open(id, local.dataset(id), base.name().name());
        Path now = open(id);
        return new RecentChanges(base.name().name(), base.creation(), sinceOldest, since,
                FileChanges.between(then, now, since));
    }

    /** Tells the cache which projects have files open through the daemon: those are never unmounted. */
    @Override
    public void inUse(Predicate<ProjectId> predicate) {
        local.openThroughDaemon(predicate);
    }

    /** Raw stream bytes fetched from replicas since this cache was opened. */
    public long bytesFetched() {
        return faultIn.bytesFetched();
    }

    /** Whether ZFS said, when last asked, that the project has changes not yet snapshotted. */
    public boolean isDirty(ProjectId id) {
        return changes.has(id);
    }

    /** Whether the project is mounted natively over its directory. */
    public boolean isNative(ProjectId id) {
        return natives.isBound(id);
    }

    /** Returns once every native mount asked for so far is made (or failed): for tests and tools. */
    public void settle() throws InterruptedException {
        natives.settle();
    }

    // ------------------------------------------------------------------ write-back, eviction, conflicts

    private void writeBackTick() {
        try {
            writeBacks.due();
            eviction.enforceSize();
            views.dropIdle();
        } catch (RuntimeException e) { // a scheduled task that throws is never run again
            LOG.log(Level.ERROR, "periodic write-back failed; it runs again at the next interval", e);
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
        return writeBacks.sync(only);
    }

    /**
     * Evicts least recently used projects while the cache is over its size. Only projects that
     * every replica holds up to their newest snapshot go; changed, conflicted or used ones stay,
     * and the log says so when only such are left.
     */
    public void enforceSize() {
        eviction.enforceSize();
    }

    /**
     * Evicts one project: writes it back if needed, and only if every replica then holds its
     * newest snapshot and no process uses it, unmounts and destroys the local copy.
     *
     * @return empty if evicted, otherwise why not
     */
    public Optional<String> evict(ProjectId id) {
        return eviction.evict(id);
    }

    /**
     * Settles a conflict explicitly, setting the losing copy aside (never destroyed).
     *
     * @param keepLocal the local copy wins; otherwise the first diverged replica's
     * @return what was done, one line each
     */
    public List<String> resolve(ProjectId id, boolean keepLocal) throws IOException {
        return conflicts.resolve(id, keepLocal);
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
        List<ProjectId> ids = local.ids();
        ids.sort(null);
        for (ProjectId id : ids) {
            Optional<String> conflict = writeBack.conflict(id);
            String st = conflict.isPresent() ? "conflicted" : changes.has(id) ? "dirty"
                    : access.isReadOnly(id) ? "read-only: " + access.writer(id).map(w -> w + " writes it")
                            .orElse("no writer; the next access takes it")
                    : local.allUnsynced().contains(id) ? "unsynced" : "clean";
            Optional<SnapshotEntry> newest;
            long size;
            try {
                newest = zfs.newestSnapshot(local.dataset(id)).map(ProjectTransfers::entry);
                size = zfs.datasetInfo(local.dataset(id)).used();
            } catch (IOException e) {
                newest = Optional.empty();
                DatasetInfo info = local.info(id);
                size = info == null ? 0 : info.used();
            }
            out.add(new ProjectStatus(id, size, st, conflict, newest, writeBack.replicas(id), faultIn.inProgress(id),
                    writeBack.running(id), local.backing(id) != null, isNative(id), refresher.behind(id),
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
        return natives.detachAll(local.ids());
    }

    /** Writes back what changed, unmounts every backing mount (data and state stay), stops background work. */
    @Override
    public void close() {
        detachNative();
        listTicks.shutdownNow();
        writeBackTicks.shutdown();
        faults.shutdown();
        awaitQuietly(writeBackTicks);
        awaitQuietly(faults);
        writeBacks.atShutdown();
        writeBack.close();
        bases.close();
        views.dropAll();
        local.close();
        meters.close();
        list.close(); // last: with etcd, revoking the lease lets this host's writer keys go
    }

    /**
     * Undoes what the constructor started, for an open that failed before anything was mounted
     * or scheduled: its gauges leave the registry, the fleet's connection (with etcd, its lease)
     * closes, so that the next open in this process starts clean.
     */
    private void abandon() {
        listTicks.shutdownNow();
        writeBackTicks.shutdownNow();
        faults.shutdownNow();
        writeBack.close();
        meters.close();
        try {
            list.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing the fleet after a failed open: " + e.getMessage());
        }
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
