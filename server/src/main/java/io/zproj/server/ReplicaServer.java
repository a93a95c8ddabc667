package io.zproj.server;

import io.zproj.server.fleet.EtcdPublisher;
import io.zproj.transport.Access;
import io.zproj.transport.tls.Role;
import io.zproj.transport.Addresses;
import io.zproj.transport.Ack;
import io.zproj.transport.ErrorCode;
import io.zproj.transport.Peer;
import io.zproj.transport.ProjectEntry;
import io.zproj.transport.ProjectInfo;
import io.zproj.transport.ReplicaService;
import io.zproj.transport.ServiceException;
import io.zproj.transport.SnapshotEntry;
import io.zproj.transport.StreamHeader;
import io.zproj.transport.StreamSink;
import io.zproj.transport.StreamSource;
import io.zproj.transport.Transport;
import io.zproj.transport.TransportServer;
import io.zproj.zfs.DatasetInfo;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.DatasetState;
import io.zproj.zfs.Plan;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.ReceiveOptions;
import io.zproj.zfs.ReceiveStream;
import io.zproj.zfs.SendStream;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Snapshots;
import io.zproj.zfs.Zfs;
import io.zproj.zfs.ZfsException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A replica server ({@code zproj server}): serves every project {@code <root>/<uuid>} under an
 * existing root dataset. Sends a project's newest snapshot (incremental from the client's base
 * when it has it), receives write-backs only onto the snapshot they are based on, and keeps a
 * RocksDB catalog that it rebuilds from ZFS at start and on every rescan. Project datasets are
 * never mounted here.
 */
public final class ReplicaServer implements ReplicaService, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ReplicaServer.class.getName());

    private final Zfs zfs;
    private final ServerConfig config;
    private final Catalog catalog;
    private final Clock clock;
    private final Map<ProjectId, CatalogEntry> entries = new ConcurrentHashMap<>();
    /** Projects with a receive or create in progress: one writer at a time. */
    private final Set<ProjectId> writing = ConcurrentHashMap.newKeySet();
    /** Serializes hold changes: a peer's new hold is placed before its old one is released. */
    private final Object holdLock = new Object();
    private final ScheduledExecutorService rescans;
    /** Peer catch-up rounds, one at a time, apart from the rescans. */
    private final java.util.concurrent.ExecutorService catchUps;
    private final java.util.concurrent.atomic.AtomicBoolean catchUpRunning = new java.util.concurrent.atomic.AtomicBoolean();
    private TransportServer listener;
    private volatile Optional<EtcdPublisher> publisher = Optional.empty();
    private Transport transport;
    private final PeerCatchUp peers;

    /** A check that the pushing host still holds the project's writer key. */
    @FunctionalInterface
    private interface Fence {
        void check() throws ServiceException;
    }

    /**
     * A write-back stream may bring this many times the space left for the project (its quota or
     * the pool's free space) before it is cut off: a stream is uncompressed, the dataset may
     * store it compressed; past that it cannot fit, and it is not left running.
     */
    static final long RECEIVE_COMPRESSION_ALLOWANCE = 4;

    private ReplicaServer(Zfs zfs, ServerConfig config, Catalog catalog, Clock clock) {
        this.zfs = zfs;
        this.config = config;
        this.catalog = catalog;
        this.clock = clock;
        this.described = com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(1_000)
                .expireAfterWrite(DESCRIBED_TTL).ticker(() -> clock.millis() * 1_000_000L).build();
        this.peers = new PeerCatchUp(zfs, config, () -> transport, () -> List.copyOf(entries.values()), writing::contains);
        this.rescans = Executors.newSingleThreadScheduledExecutor(
                new io.netty.util.concurrent.DefaultThreadFactory("zproj-rescan", true));
        this.catchUps = Executors.newSingleThreadExecutor(
                new io.netty.util.concurrent.DefaultThreadFactory("zproj-peer-catch-up", true));
    }

    /**
     * Opens the catalog, reconciles it with ZFS, and starts listening.
     *
     * @throws IOException if the root does not exist, the catalog cannot be opened or the
     *                     address cannot be bound
     */
    public static ReplicaServer start(Zfs zfs, Transport transport, ServerConfig config, Clock clock)
            throws IOException {
        if (!zfs.exists(config.root())) {
            throw new IOException("root dataset " + config.root() + " does not exist; create it first (zfs create "
                    + config.root() + ")");
        }
        Catalog catalog = Catalog.open(config.stateDir().resolve("catalog"));
        ReplicaServer server = new ReplicaServer(zfs, config, catalog, clock);
        try {
            server.load();
            server.rescan();
            server.transport = transport;
            server.listener = transport.serve(config.listen(), server,
                    config.allow().isPresent() ? Access.allowList(config.allow().get()) : Access.open());
            if (!config.etcd().isEmpty()) {
                InetSocketAddress at = config.advertise().orElse(server.listener.address());
                if (at.getAddress() != null && at.getAddress().isAnyLocalAddress()) {
                    throw new IllegalArgumentException("listening on " + Addresses.format(at) + ", this server needs "
                            + "--advertise HOST:PORT: the address clients dial, published in etcd");
                }
                server.publisher = Optional.of(EtcdPublisher.start(config.etcd(), transport.tls(), config.name(), at,
                        server::list));
            }
        } catch (IOException | RuntimeException e) {
            server.closeQuietly();
            throw e;
        }
        long period = config.rescan().toMillis();
        server.rescans.scheduleWithFixedDelay(server::rescanQuietly, period, period, TimeUnit.MILLISECONDS);
        return server;
    }

    /** Who last pushed a project here and when (epoch ms), if anyone has. */
    public record WriteBack(String writer, long atMillis, SnapshotEntry snapshot) {}

    /** The last write-back of a project, from the catalog. */
    public Optional<WriteBack> lastWriteBack(ProjectId id) {
        CatalogEntry e = entries.get(id);
        if (e == null || e.lastWriteBackMillis() == 0 || e.newest().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new WriteBack(e.writer(), e.lastWriteBackMillis(), e.newest().get()));
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return listener.address();
    }

    @Override
    public String name() {
        return config.name();
    }

    // ------------------------------------------------------------------ catalog

    private void load() throws IOException {
        for (CatalogEntry e : catalog.all()) {
            entries.put(e.id(), e);
        }
    }

    /**
     * Reconciles the catalog with ZFS in two commands: adds and updates what ZFS has, drops what
     * it no longer has, keeps the write-back fields. Runs every rescan interval; call it to make
     * a project created with {@code zfs} directly visible at once.
     */
    public void rescan() throws IOException {
        Map<DatasetName, List<Snapshot>> snapshots = zfs.listChildSnapshots(config.root());
        Set<ProjectId> seen = new HashSet<>();
        int changed = 0;
        for (DatasetInfo info : zfs.listChildren(config.root())) {
            if (!ProjectId.isValid(info.name().leaf())) {
                continue; // not a project
            }
            ProjectId id = ProjectId.parse(info.name().leaf());
            seen.add(id);
            Optional<SnapshotEntry> newest = Snapshots.newest(snapshots.getOrDefault(info.name(), List.of()))
                    .map(Streams::entry);
            CatalogEntry old = entries.get(id);
            CatalogEntry now = old == null
                    ? new CatalogEntry(id, newest, info.used(), info.quota().orElse(0), 0, "")
                    : old.withZfs(newest, info.used(), info.quota().orElse(0));
            if (old == null || !old.sameZfsState(now)) {
                store(now);
                changed++;
            }
        }
        for (ProjectId id : new ArrayList<>(entries.keySet())) {
            if (!seen.contains(id) && !writing.contains(id)) {
                forget(id);
                changed++;
            }
        }
        if (changed > 0) {
            LOG.log(Level.INFO, "catalog of " + config.root() + ": " + entries.size() + " projects, " + changed
                    + " updated from ZFS");
        }
    }

    private void rescanQuietly() {
        try {
            rescan();
            releaseStaleHolds();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "rescan of " + config.root() + " failed: " + e.getMessage());
        }
        catchUpPeersSoon();
    }

    /**
     * Starts a catch-up round on its own thread unless one is running: a long stream to a peer
     * (or a peer that does not answer) never delays the rescans, and rounds do not pile up.
     */
    private void catchUpPeersSoon() {
        aloneInBackground(catchUpRunning, catchUps, () -> {
            try {
                catchUpPeers();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "catching up the peers of " + config.root() + " failed: " + e.getMessage());
            }
        });
    }

    /**
     * Runs {@code task} on {@code executor} unless the one {@code running} stands for has not
     * ended yet; a closing executor drops it.
     */
    private static void aloneInBackground(java.util.concurrent.atomic.AtomicBoolean running,
            java.util.concurrent.ExecutorService executor, Runnable task) {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } finally {
                    running.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) { // closing
            running.set(false);
        }
    }

    private void store(CatalogEntry e) throws IOException {
        entries.put(e.id(), e);
        catalog.put(e);
        publisher.ifPresent(p -> p.put(entry(e)));
    }

    /** The project is no longer here (gone from ZFS, or set aside). */
    private void forget(ProjectId id) throws IOException {
        entries.remove(id);
        catalog.remove(id);
        publisher.ifPresent(p -> p.delete(id));
    }

    private static ProjectEntry entry(CatalogEntry e) {
        return new ProjectEntry(e.id().uuid(), e.newest(), e.usedBytes(), e.quotaBytes());
    }

    /** Re-reads one project from ZFS into the catalog. */
    private void refresh(ProjectId id, List<Snapshot> snapshots) throws IOException {
        refresh(id, snapshots, zfs.datasetInfo(dataset(id)));
    }

    /** Brings one project's catalog entry up to what ZFS says; writes only if that changed it. */
    private void refresh(ProjectId id, List<Snapshot> snapshots, DatasetInfo info) throws IOException {
        CatalogEntry old = entries.get(id);
        Optional<SnapshotEntry> newest = Snapshots.newest(snapshots).map(Streams::entry);
        CatalogEntry now = old == null ? new CatalogEntry(id, newest, info.used(), info.quota().orElse(0), 0, "")
                : old.withZfs(newest, info.used(), info.quota().orElse(0));
        if (old == null || !old.sameZfsState(now)) {
            store(now);
        }
    }

    // ------------------------------------------------------------------ holds

    /** At most this many peers' holds per project: the least recently seen goes first (peers name themselves). */
    static final int MAX_HOLDS_PER_PROJECT = 64;

    /** The hold tag of a peer: {@code zproj:<peer name>}, with anything but [A-Za-z0-9._:-] as '_'. */
    public static String holdTag(String peer) {
        return "zproj:" + holder(peer);
    }

    /** A peer's name as holds and the catalog keep it: the tag's characters, at most 190 of them. */
    private static String holder(String peer) {
        String clean = peer.replaceAll("[^A-Za-z0-9._:-]", "_");
        return clean.length() > 190 ? clean.substring(0, 190) : clean;
    }

    /**
     * {@code peer} is now based on {@code snap} (it received it, or pushed it here, or found
     * itself up to date at it): the snapshot is held for it, so pruning here cannot strand its
     * copy, and its previous hold is released. Beyond {@link #MAX_HOLDS_PER_PROJECT} peers, the
     * least recently seen one lets go. Failures are logged: a missing hold costs at worst a full
     * fetch later, never data.
     */
    private void basedOn(ProjectId id, Peer peer, Snapshot snap) {
        String who = holder(peer.name());
        try {
            synchronized (holdLock) {
                List<Catalog.Hold> held = catalog.holds(id);
                Optional<Catalog.Hold> before = held.stream().filter(h -> h.peer().equals(who)).findFirst();
                if (before.isEmpty() || before.get().guid() != snap.guid()) {
                    zfs.hold(snap.name(), holdTag(who));
                }
                catalog.putHold(new Catalog.Hold(id, who, snap.name().name(), snap.guid(), clock.millis()));
                if (before.isPresent() && before.get().guid() != snap.guid()) {
                    zfs.release(dataset(id).snapshot(before.get().snapshot()), holdTag(who));
                }
                if (before.isEmpty() && held.size() >= MAX_HOLDS_PER_PROJECT) {
                    Catalog.Hold oldest = held.stream().min(java.util.Comparator.comparingLong(Catalog.Hold::seenMillis))
                            .orElseThrow();
                    release(oldest);
                    LOG.log(Level.INFO, "released the hold of " + oldest.peer() + " on " + id + ": more than "
                            + MAX_HOLDS_PER_PROJECT + " peers, it was seen least recently");
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot hold " + snap.name() + " for " + peer + ": " + e.getMessage());
        }
    }

    private void release(Catalog.Hold h) throws IOException {
        if (entries.containsKey(h.id())) {
            zfs.release(dataset(h.id()).snapshot(h.snapshot()), holdTag(h.peer()));
        }
        catalog.removeHold(h.id(), h.peer());
    }

    /** The snapshots of a project that some peer is based on. */
    private Set<Long> heldGuids(ProjectId id) throws IOException {
        Set<Long> out = new HashSet<>();
        catalog.holds(id).forEach(h -> out.add(h.guid()));
        return out;
    }

    /**
     * Lets go of the holds of peers that have not transferred a project for longer than the
     * configured age, and of holds on projects this server no longer has. Runs with every rescan.
     */
    public int releaseStaleHolds() throws IOException {
        int released = 0;
        long cutoff = clock.millis() - config.holdMaxAge().toMillis();
        synchronized (holdLock) {
            for (Catalog.Hold h : catalog.holds()) {
                boolean gone = !entries.containsKey(h.id());
                if (!gone && h.seenMillis() >= cutoff) {
                    continue;
                }
                try {
                    release(h);
                    if (!gone) {
                        LOG.log(Level.INFO, "released the hold of " + h.peer() + " on " + h.id() + "@" + h.snapshot()
                                + ": no transfer for longer than " + config.holdMaxAge().toDays() + " days");
                    }
                    released++;
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "cannot release the hold of " + h.peer() + " on " + h.id() + ": "
                            + e.getMessage());
                }
            }
        }
        return released;
    }

    // ------------------------------------------------------------------ peers

    /**
     * What one catch-up round did: projects sent to peers, diverged copies left alone, peers
     * that could not be reached, and the projects held by fewer replicas than configured.
     */
    public record CatchUp(int sent, int diverged, List<String> unreachable, List<String> underReplicated) {}

    /** Brings every configured peer up to date with this server now ({@link PeerCatchUp}); runs after every rescan. */
    public CatchUp catchUpPeers() {
        return peers.run();
    }

    // ------------------------------------------------------------------ requests

    @Override
    public List<ProjectEntry> list() {
        List<ProjectEntry> out = new ArrayList<>(entries.size());
        for (CatalogEntry e : entries.values()) {
            out.add(entry(e));
        }
        out.sort(Comparator.comparing(p -> p.id().toString()));
        return out;
    }

    /** How long a send may reuse the snapshots an INFO just read (a fault-in asks, then pulls at once). */
    static final Duration DESCRIBED_TTL = Duration.ofSeconds(2);

    /** The snapshots the last INFO read of each project, for the send that follows it. */
    private final com.github.benmanes.caffeine.cache.Cache<ProjectId, List<Snapshot>> described;

    @Override
    public ProjectInfo info(UUID project) throws IOException {
        ProjectId id = new ProjectId(project);
        DatasetName ds = dataset(id);
        try {
            DatasetState state = zfs.describe(ds);
            DatasetInfo info = state.info();
            refresh(id, state.snapshots(), info);
            described.put(id, state.snapshots());
            return new ProjectInfo(project, info.used(), info.referenced(), info.quota().orElse(0),
                    state.snapshots().stream().map(Streams::entry).toList());
        } catch (io.zproj.zfs.DatasetNotFoundException e) {
            throw notFound(id);
        } catch (ZfsException e) {
            throw Errors.toService(e);
        }
    }

    /** How long the free bytes a ping reports may be reused: a ping is on every fault-in's path, a ranking hint. */
    static final Duration FREE_BYTES_TTL = Duration.ofSeconds(5);
    private volatile long freeBytes = -1;
    private volatile long freeBytesAt;
    private final java.util.concurrent.atomic.AtomicBoolean rereadingFreeBytes = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * The root's free bytes: read at the first ask; a reading older than {@link #FREE_BYTES_TTL}
     * is still served while a new one is read in the background, so a ping never waits for ZFS
     * after that.
     */
    @Override
    public long freeBytes() throws IOException {
        long now = clock.millis();
        if (freeBytes < 0) {
            readFreeBytes();
        } else if (now - freeBytesAt >= FREE_BYTES_TTL.toMillis() || now < freeBytesAt) {
            aloneInBackground(rereadingFreeBytes, rescans, () -> {
                try {
                    readFreeBytes();
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "cannot read the free bytes of " + config.root() + ": " + e.getMessage());
                }
            });
        }
        return freeBytes;
    }

    private void readFreeBytes() throws IOException {
        long at = clock.millis();
        freeBytes = zfs.availableBytes(config.root());
        freeBytesAt = at;
    }

    @Override
    public Ack create(UUID project, long quotaBytes) throws IOException {
        ProjectId id = new ProjectId(project);
        lockForWrite(id);
        try {
            DatasetName ds = dataset(id);
            if (zfs.exists(ds)) {
                throw new ServiceException(ErrorCode.EXISTS, "project " + id + " exists on " + name());
            }
            zfs.createDataset(ds, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO)
                    .compression("lz4").atime(false).quota(quotaBytes));
            Snapshot first = zfs.snapshot(ds.snapshot(Snapshots.zprojName(clock)));
            refresh(id, List.of(first));
            LOG.log(Level.INFO, "created project " + id + " (quota " + (quotaBytes == 0 ? "none" : quotaBytes) + ")");
            return new Ack(project, Streams.entry(first));
        } catch (ZfsException e) {
            throw Errors.toService(e);
        } finally {
            writing.remove(id);
        }
    }

    @Override
    public String setAside(UUID project, long expectedHeadGuid) throws IOException {
        ProjectId id = new ProjectId(project);
        lockForWrite(id);
        try {
            DatasetName ds = dataset(id);
            if (!zfs.exists(ds)) {
                throw notFound(id);
            }
            Optional<Snapshot> head = zfs.newestSnapshot(ds);
            if (head.isEmpty() || head.get().guid() != expectedHeadGuid) {
                throw new ServiceException(ErrorCode.DIVERGED, "server " + name() + " holds " + id + " at "
                        + head.map(s -> Streams.entry(s).toString()).orElse("no snapshot")
                        + ", not the head the request was about; nothing was changed");
            }
            String keptAs = Snapshots.setAsideName(id, clock);
            zfs.rename(ds, config.root().child(keptAs));
            forget(id);
            LOG.log(Level.WARNING, "set " + id + " aside as " + config.root().child(keptAs)
                    + " to resolve a conflict (kept with all its snapshots)");
            return config.root().child(keptAs).value();
        } catch (ZfsException e) {
            throw Errors.toService(e);
        } finally {
            writing.remove(id);
        }
    }

    @Override
    public Outgoing send(UUID project, OptionalLong baseGuid, Peer peer) throws IOException {
        ProjectId id = new ProjectId(project);
        DatasetName ds = dataset(id);
        try {
            List<Snapshot> snaps = justDescribed(id).orElse(null);
            if (snaps == null) {
                snaps = zfs.listSnapshots(ds);
            }
            if (snaps.isEmpty()) {
                snaps = List.of(zfs.snapshot(ds.snapshot(Snapshots.zprojName(clock))));
                refresh(id, snaps);
                LOG.log(Level.INFO, "project " + id + " had no snapshot; took " + snaps.get(0).name().name());
            }
            Snapshot newest = snaps.get(snaps.size() - 1);
            Optional<Snapshot> base = baseGuid.isPresent()
                    ? Snapshots.byGuid(snaps, baseGuid.getAsLong()) : Optional.empty();
            if (base.isPresent() && base.get().guid() == newest.guid()) {
                basedOn(id, peer, newest);
                return Outgoing.upToDate(Streams.entry(newest));
            }
            SendStream send = zfs.send(newest.name(), base.map(Snapshot::name));
            StreamHeader header = new StreamHeader(project, Streams.entry(newest), base.map(Streams::entry));
            return Outgoing.stream(header, StreamSource.of(send.stream(), () -> {
                send.finish();
                basedOn(id, peer, newest);
            }, send::close));
        } catch (io.zproj.zfs.DatasetNotFoundException e) {
            throw notFound(id);
        } catch (ZfsException e) {
            throw Errors.toService(e);
        }
    }

    /**
     * The snapshots an INFO read of the project moments ago, if nothing changed it on this server
     * since: the catalog's newest is still theirs and no write is under way. (A snapshot it names
     * that a peer is based on is held, so pruning cannot take a send's base.)
     */
    private Optional<List<Snapshot>> justDescribed(ProjectId id) {
        List<Snapshot> snaps = described.asMap().remove(id); // one send per reading
        CatalogEntry entry = entries.get(id);
        if (snaps == null || snaps.isEmpty() || entry == null || writing.contains(id)) {
            return Optional.empty();
        }
        long newest = snaps.get(snaps.size() - 1).guid();
        return entry.newest().filter(e -> e.guid() == newest).map(e -> snaps);
    }

    @Override
    public StreamSink<Ack> receive(StreamHeader header, Peer peer, long writerRevision) throws IOException {
        ProjectId id = new ProjectId(header.project());
        // Fencing: with etcd, a client's write-back (and any that names a writer revision) must come
        // from the project's writer key holder, checked now and again just before the stream commits.
        Optional<Fence> fence = publisher.filter(p -> writerRevision != 0 || peer.role() == Role.CLIENT)
                .map(p -> () -> p.checkWriter(id, peer.name(), writerRevision));
        if (fence.isPresent()) {
            fence.get().check();
        }
        lockForWrite(id);
        try {
            DatasetName ds = dataset(id);
            Optional<DatasetState> before = describeIfExists(ds); // one command: base, space and quota
            checkBase(id, before, header);
            long available = before.isPresent() ? before.get().info().available() : zfs.availableBytes(config.root());
            long limit = RECEIVE_COMPRESSION_ALLOWANCE * available + (64L << 20);
            ReceiveStream receive = before.isPresent() ? zfs.receive(before.get(), ReceiveOptions.defaults())
                    : zfs.receive(ds, ReceiveOptions.defaults());
            return new ReceiveSink(id, header, peer, receive, limit, fence);
        } catch (ZfsException e) {
            writing.remove(id);
            throw Errors.toService(e);
        } catch (IOException | RuntimeException e) {
            writing.remove(id);
            throw e;
        }
    }

    private Optional<DatasetState> describeIfExists(DatasetName ds) throws ZfsException {
        try {
            return Optional.of(zfs.describe(ds));
        } catch (io.zproj.zfs.DatasetNotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * A write-back is accepted only if it is exactly what the {@link Plan} from the stream's
     * lineage (its base, if any, then its snapshot) to this server's snapshots asks for: an
     * incremental stream from the server's newest, or a full one for a project the server does
     * not have.
     */
    private void checkBase(ProjectId id, Optional<DatasetState> here, StreamHeader header) throws IOException {
        List<Plan.Point> stream = new ArrayList<>();
        header.base().ifPresent(b -> stream.add(Streams.point(b)));
        stream.add(Streams.point(header.snapshot()));
        if (here.isEmpty()) {
            if (header.base().isPresent()) {
                throw new ServiceException(ErrorCode.NOT_FOUND, "project " + id + " does not exist on " + name()
                        + "; it cannot take a stream based on " + header.base().get() + ", only a full one");
            }
            return;
        }
        Plan plan = Plan.between(stream, Plan.points(here.get().snapshots()));
        String push = "the push (" + header.base().map(b -> "from " + b + " ").orElse("in full ") + "to "
                + header.snapshot() + ")";
        if (plan instanceof Plan.UpToDate || plan instanceof Plan.Behind) {
            throw new ServiceException(ErrorCode.EXISTS, name() + " already holds " + id + " at "
                    + header.snapshot() + (plan instanceof Plan.Behind b ? " and newer, up to " + b.targetHead() : ""));
        }
        if (plan instanceof Plan.Diverged d) {
            throw new ServiceException(ErrorCode.DIVERGED, "server " + name() + " holds " + id + " at "
                    + d.targetHead() + "; " + (header.base().isEmpty()
                    ? "a full stream would overwrite it (it brings " + header.snapshot() + "); push incrementally "
                            + "from the server's newest snapshot"
                    : push + d.base().map(b -> " and the server have both moved on from " + b)
                            .orElse(" shares no snapshot with it"))
                    + "; nothing was changed");
        }
        if (plan instanceof Plan.Incremental inc && header.base().isPresent()
                && inc.from().guid() == header.base().get().guid()) {
            return;
        }
        throw new ServiceException(ErrorCode.DIVERGED, "server " + name() + " cannot take " + push + " for " + id
                + ": " + plan + "; nothing was changed");
    }

    private void lockForWrite(ProjectId id) throws ServiceException {
        if (!writing.add(id)) {
            throw new ServiceException(ErrorCode.BUSY, "another write to " + id + " is in progress on " + name());
        }
    }

    private DatasetName dataset(ProjectId id) {
        return config.root().child(id);
    }

    private ServiceException notFound(ProjectId id) {
        return new ServiceException(ErrorCode.NOT_FOUND, "no project " + id + " on " + name());
    }

    /** A write-back being received: completes into an ack and a catalog update, or aborts leaving nothing. */
    private final class ReceiveSink implements StreamSink<Ack> {
        private final ProjectId id;
        private final StreamHeader header;
        private final Peer peer;
        private final ReceiveStream receive;
        private final long limit;
        private final Optional<Fence> fence;
        /** With a fence, the last bytes are held back: the stream cannot commit before the check. */
        private byte[] held = new byte[0];
        private long written;
        private boolean ended;

        ReceiveSink(ProjectId id, StreamHeader header, Peer peer, ReceiveStream receive, long limit,
                Optional<Fence> fence) {
            this.id = id;
            this.header = header;
            this.peer = peer;
            this.receive = receive;
            this.limit = limit;
            this.fence = fence;
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            written += len;
            if (written > limit) {
                throw new ServiceException(ErrorCode.NO_SPACE, "the stream of " + id + " from " + peer + " passed "
                        + limit + " bytes, more than the space left for it could hold even compressed "
                        + RECEIVE_COMPRESSION_ALLOWANCE + " to 1; it was aborted and nothing of it kept");
            }
            try {
                if (fence.isPresent()) {
                    receive.stream().write(held, 0, held.length);
                    held = java.util.Arrays.copyOfRange(buf, off, off + len);
                } else {
                    receive.stream().write(buf, off, len);
                }
            } catch (ZfsException e) { // zfs receive gave up; the bridge has cleaned up
                ended = true;
                writing.remove(id);
                throw Errors.toService(e);
            }
        }

        @Override
        public Ack complete(long totalBytes) throws IOException {
            if (fence.isPresent()) {
                try {
                    fence.get().check(); // still the writer? if not, the stream is aborted before its end
                } catch (ServiceException e) {
                    LOG.log(Level.WARNING, "aborting the write-back of " + id + " from " + peer + ": " + e.getMessage());
                    abort(e.getMessage());
                    throw e;
                }
                receive.stream().write(held, 0, held.length);
            }
            ended = true;
            try {
                Snapshot got = receive.finish();
                if (got.guid() != header.snapshot().guid()) {
                    LOG.log(Level.WARNING, "received " + got + " for " + id + " but the header announced "
                            + header.snapshot());
                }
                SnapshotEntry entry = Streams.entry(got);
                basedOn(id, peer, got);
                Set<Long> keep = new HashSet<>(heldGuids(id));
                keep.add(got.guid());
                DatasetState now = receive.received(); // read once after the receive: no listing again
                List<Snapshot> pruned = zfs.destroySnapshots(io.zproj.zfs.Pruning.toDestroy(now.snapshots(),
                        config.keep(), clock.instant(), keep, config.keep().foreign()));
                if (!pruned.isEmpty()) {
                    LOG.log(Level.INFO, "pruned " + pruned.size() + " old snapshots of " + id + " by the keep policy");
                }
                List<Snapshot> left = new ArrayList<>(now.snapshots());
                left.removeAll(pruned);
                if (pruned.isEmpty()) {
                    refresh(id, left, now.info());
                } else {
                    refresh(id, left); // what pruning freed
                }
                store(entries.get(id).withWriteBack(entry, clock.millis(), peer.toString()));
                return new Ack(header.project(), entry);
            } catch (ZfsException e) {
                throw Errors.toService(e);
            } finally {
                writing.remove(id);
            }
        }

        @Override
        public void abort(String reason) {
            if (ended) {
                return;
            }
            ended = true;
            try {
                String state = receive.abort();
                LOG.log(Level.INFO, "receive of " + id + " from " + peer + " aborted (" + reason + "): " + state);
            } catch (ZfsException e) {
                LOG.log(Level.ERROR, "receive of " + id + " from " + peer + " aborted, cleanup failed: "
                        + e.getMessage());
            } finally {
                writing.remove(id);
            }
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /** Stops listening, aborts in-flight streams (nothing partial is kept), closes the catalog. */
    @Override
    public void close() {
        closeQuietly();
        LOG.log(Level.INFO, "replica server " + name() + " stopped");
    }

    private void closeQuietly() {
        rescans.shutdownNow();
        catchUps.shutdownNow(); // interrupts a round's stream; it is awaited before the catalog closes
        try {
            if (!rescans.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "a rescan still runs 30 s after the stop began");
            }
            if (!catchUps.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "a peer catch-up round still runs 30 s after the stop began");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisher.ifPresent(EtcdPublisher::close);
        if (listener != null) {
            listener.close();
        }
        catalog.close();
    }
}
