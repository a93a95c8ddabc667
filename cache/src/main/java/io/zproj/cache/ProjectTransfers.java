package io.zproj.cache;

import io.zproj.transport.Ack;
import io.zproj.transport.Addresses;
import io.zproj.transport.ErrorCode;
import io.zproj.transport.Load;
import io.zproj.transport.ProjectInfo;
import io.zproj.transport.RemoteException;
import io.zproj.transport.SnapshotEntry;
import io.zproj.transport.StreamHeader;
import io.zproj.transport.StreamSink;
import io.zproj.transport.StreamSource;
import io.zproj.transport.StreamStats;
import io.zproj.transport.Transport;
import io.zproj.transport.TransportClient;
import io.zproj.transport.TransportClient.PushResult;
import io.zproj.transport.TransportException;
import io.zproj.zfs.DatasetExistsException;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetState;
import io.zproj.zfs.InvalidStreamException;
import io.zproj.zfs.OutOfSpaceException;
import io.zproj.zfs.Plan;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.ReceiveOptions;
import io.zproj.zfs.ReceiveStream;
import io.zproj.zfs.SendStream;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Snapshots;
import io.zproj.zfs.Zfs;
import io.zproj.zfs.ZfsException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Moves one project between a local root and replica servers: {@link #pull} fetches it from
 * the best replica (most advanced history, then lowest round trip, then least load), as the
 * {@link Plan} of the two sides' snapshot GUIDs says, failing over to the next replica when one is down
 * or dies mid-stream; {@link #push} snapshots the local copy and sends it incrementally to a
 * replica. Neither ever overwrites diverged data, and a broken transfer leaves nothing partial.
 * Thread-safe: every call uses its own connections.
 */
public final class ProjectTransfers {

    private static final System.Logger LOG = System.getLogger(ProjectTransfers.class.getName());

    /** A replica that holds the project, with what it said about it. */
    public record Candidate(InetSocketAddress address, ProjectInfo info, Duration rtt, Load load) {}

    /** The replicas that hold a project, best first, and why the others could not be used. */
    public record Ranking(List<Candidate> candidates, List<String> failures) {}

    /**
     * What a pull did; {@code received} is what the local copy holds after it, empty if it was
     * up to date already.
     */
    public record PullOutcome(InetSocketAddress server, SnapshotEntry snapshot, boolean upToDate, boolean incremental,
            StreamStats stats, Duration elapsed, Optional<DatasetState> received, List<Skipped> diverged,
            Map<InetSocketAddress, SnapshotEntry> heads) {

        public PullOutcome {
            diverged = List.copyOf(diverged);
            heads = Map.copyOf(heads);
        }
    }

    /** A replica a pull did not use because it has diverged from the local copy, and both heads. */
    public record Skipped(InetSocketAddress server, String why) {}

    /** What a push did; {@code upToDate} if the server already had the snapshot and nothing was sent. */
    public record PushOutcome(InetSocketAddress server, Ack ack, boolean upToDate, boolean incremental,
            StreamStats stats, Duration elapsed) {}

    /**
     * Best first, by history: first those whose snapshots include the heads of the most other
     * candidates (a head that descends from every other's wins; creation times and clocks never
     * decide), then the lowest round trip, then the fewest streams in flight.
     */
    static List<Candidate> bestFirst(List<Candidate> candidates) {
        Map<Candidate, Integer> descends = new HashMap<>();
        for (Candidate c : candidates) {
            Set<Long> guids = new HashSet<>();
            c.info().snapshots().forEach(e -> guids.add(e.guid()));
            int n = 0;
            for (Candidate other : candidates) {
                if (other != c && other.info().newest().isPresent() && guids.contains(other.info().newest().get().guid())) {
                    n++;
                }
            }
            descends.put(c, c.info().newest().isPresent() ? n : -1);
        }
        List<Candidate> out = new ArrayList<>(candidates);
        out.sort(Comparator.comparingInt((Candidate c) -> -descends.get(c))
                .thenComparing(Candidate::rtt)
                .thenComparingInt(c -> c.load().streamsInFlight()));
        return out;
    }

    private final Zfs zfs;
    private final Transport transport;
    private final String clientName;
    /** Asked to free space before a full fetch that would not fit; says how many bytes it freed. */
    private volatile Room room = (id, bytes) -> 0;

    /** Frees local space for a project about to be fetched, e.g. by evicting others. */
    @FunctionalInterface
    public interface Room {
        /** Tries to free {@code bytes} for {@code forProject}; returns the bytes freed (0 if nothing could go). */
        long make(ProjectId forProject, long bytes);
    }

    public ProjectTransfers(Zfs zfs, Transport transport, String clientName) {
        this.zfs = zfs;
        this.transport = transport;
        this.clientName = clientName;
    }



    /** What frees space when a full fetch would not fit (nothing, by default). */
    public void onShortOfSpace(Room r) {
        this.room = r;
    }

    /** Asks each server about the project, and ranks those that hold it. */
    public Ranking rank(ProjectId id, List<InetSocketAddress> servers) {
        Probes probes = probe(id, servers);
        probes.close();
        return new Ranking(probes.open.stream().map(Probe::candidate).toList(), probes.failures());
    }

    /** A candidate with its still-open connection, so the pull needs no second handshake. */
    private record Probe(Candidate candidate, TransportClient client) {}

    /** The replicas that answered, best first, with their connections; and why each of the others did not. */
    private record Probes(List<Probe> open, Map<InetSocketAddress, String> failed) implements AutoCloseable {

        /** Each failure as "HOST:PORT: why". */
        List<String> failures() {
            List<String> out = new ArrayList<>();
            failed.forEach((server, why) -> out.add(Addresses.format(server) + ": " + why));
            return out;
        }

        @Override
        public void close() {
            open.forEach(p -> p.client().close());
        }
    }

    /**
     * Probes run at once, one thread each (idle ones end after a minute): a fault-in waits for
     * the slowest server, not for the sum of them.
     */
    private static final ExecutorService PROBES = Executors.newCachedThreadPool(Threads.named("zproj-probe"));

    /** One server's answer: an open probe, or why it could not be used. */
    private record ProbeResult(Probe probe, InetSocketAddress server, String failure) {}

    /** Info from each server (and a ping for round trip and load when there is a choice to make), best first. */
    private Probes probe(ProjectId id, List<InetSocketAddress> servers) {
        List<CompletableFuture<ProbeResult>> asked = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            InetSocketAddress server = servers.get(i);
            boolean choice = servers.size() > 1;
            if (i == servers.size() - 1) {
                asked.add(CompletableFuture.completedFuture(probeOne(id, server, choice))); // this thread's share
            } else {
                asked.add(CompletableFuture.supplyAsync(() -> probeOne(id, server, choice), PROBES));
            }
        }
        List<Probe> open = new ArrayList<>();
        Map<InetSocketAddress, String> failed = new java.util.LinkedHashMap<>();
        for (CompletableFuture<ProbeResult> f : asked) {
            ProbeResult r = f.join();
            if (r.probe() != null) {
                open.add(r.probe());
            } else {
                failed.put(r.server(), r.failure());
            }
        }
        List<Candidate> order = bestFirst(open.stream().map(Probe::candidate).toList());
        open.sort(Comparator.comparingInt(p -> order.indexOf(p.candidate())));
        return new Probes(open, failed);
    }

    private ProbeResult probeOne(ProjectId id, InetSocketAddress server, boolean ping) {
        TransportClient c = null;
        try {
            c = transport.connect(server, clientName);
            TransportClient.PingResult pong = ping ? c.ping()
                    : new TransportClient.PingResult(Duration.ZERO, new Load(0, 0));
            return new ProbeResult(new Probe(new Candidate(server, c.info(id.uuid()), pong.rtt(), pong.load()), c), server,
                    null);
        } catch (TransportException | RuntimeException e) {
            if (c != null) {
                c.close();
            }
            return new ProbeResult(null, server, e instanceof RemoteException r && r.code() == ErrorCode.NOT_FOUND
                    ? "does not hold " + id : e.getMessage());
        }
    }

    /**
     * Brings {@code <localRoot>/<id>} up to the best replica's newest snapshot.
     *
     * @throws DivergedException   if every replica that answered has diverged from the local copy
     *                             (each is named with both heads and the base; nothing is changed)
     * @throws NoReplicaException  if no replica could serve it (each one's reason is given)
     * @throws ZfsException        if the local receive fails for a local reason (e.g. no space,
     *                             local changes not yet snapshotted); nothing partial is kept
     */
    public PullOutcome pull(ProjectId id, DatasetName localRoot, List<InetSocketAddress> servers,
            TransferListener listener) throws IOException {
        return pullInto(id, localRoot.child(id), servers, Optional.empty(), listener);
    }

    /**
     * {@link #pull}, and what it receives is left mounted at {@code mountAt} (fewer ZFS commands
     * than a receive and a separate mount). A copy that was already up to date is not mounted.
     */
    public PullOutcome pullAndMount(ProjectId id, DatasetName localRoot, List<InetSocketAddress> servers, Path mountAt,
            TransferListener listener) throws IOException {
        return pullInto(id, localRoot.child(id), servers, Optional.of(mountAt), listener);
    }

    /** What one replica said of a project, or why it could not. */
    public record InfoOrWhy(Optional<io.zproj.transport.ProjectInfo> info, String why) {}

    /** What each replica holds of a project (asked in parallel), or why it could not say. */
    public Map<InetSocketAddress, InfoOrWhy> infos(ProjectId id, List<InetSocketAddress> servers) {
        Map<InetSocketAddress, InfoOrWhy> out = new java.util.LinkedHashMap<>();
        try (Probes probes = probe(id, servers)) {
            for (Probe p : probes.open()) {
                out.put(p.candidate().address(), new InfoOrWhy(Optional.of(p.candidate().info()), ""));
            }
            probes.failed().forEach((server, why) -> out.put(server, new InfoOrWhy(Optional.empty(), why)));
        }
        return out;
    }

    /**
     * Brings {@code target} (a copy of project {@code id}, or nothing yet) up to the best
     * replica's newest snapshot: the replicas are tried best first; one that has diverged from
     * the copy is skipped (logged, and named if all are), as is one that fails.
     */
    public PullOutcome pullInto(ProjectId id, DatasetName target, List<InetSocketAddress> servers,
            TransferListener listener) throws IOException {
        return pullInto(id, target, servers, Optional.empty(), listener);
    }

    private PullOutcome pullInto(ProjectId id, DatasetName target, List<InetSocketAddress> servers,
            Optional<Path> mountAt, TransferListener listener) throws IOException {
        long start = System.nanoTime();
        // read while the replicas are asked: the local copy's snapshots, and if there is none the room for one
        CompletableFuture<LocalSide> localSide = CompletableFuture.supplyAsync(() -> localSide(target), PROBES);
        try (Probes probes = probe(id, servers)) {
            List<String> reasons = new ArrayList<>(probes.failures());
            List<String> diverged = new ArrayList<>();
            List<Skipped> skipped = new ArrayList<>();
            LocalSide here = join(localSide);
            List<Snapshot> localSnaps = here.snapshots();
            OptionalLong freeNow = here.free(); // good for the first full attempt only
            Map<InetSocketAddress, SnapshotEntry> heads = new java.util.HashMap<>();
            for (Probe probe : probes.open()) {
                probe.candidate().info().newest().ifPresent(h -> heads.put(probe.candidate().address(), h));
            }
            for (Probe probe : probes.open()) {
                Candidate candidate = probe.candidate();
                String where = Addresses.format(candidate.address());
                Plan plan = planPull(candidate, localSnaps);
                if (plan instanceof Plan.Diverged d) {
                    String why = d.describe(where, "the local copy of " + id);
                    LOG.log(Level.WARNING, "not pulling " + id + " from " + where + ": " + why);
                    diverged.add(why);
                    skipped.add(new Skipped(candidate.address(), why));
                    continue;
                }
                if (plan instanceof Plan.UpToDate || plan instanceof Plan.Behind) {
                    return new PullOutcome(candidate.address(), candidate.info().newest().orElseThrow(), true, true,
                            new StreamStats(0, 0), Duration.ofNanos(System.nanoTime() - start), Optional.empty(),
                            skipped, heads);
                }
                if (plan instanceof Plan.Full) {
                    requireRoom(id, target, candidate, freeNow);
                    freeNow = OptionalLong.empty(); // a failed attempt may have used or freed space
                }
                OptionalLong base = plan instanceof Plan.Incremental inc ? OptionalLong.of(inc.from().guid())
                        : OptionalLong.empty();
                boolean localExists = localSnaps != null;
                // zfs receive starts while the replica starts its zfs send: the stream begins once it runs
                ReceiveOptions options = receiveOptions(localExists, candidate.info(), mountAt);
                CompletableFuture<ReceiveStream> receiving = CompletableFuture.supplyAsync(() -> {
                    try {
                        return localExists ? zfs.receive(target, options) : zfs.receiveNew(target, options);
                    } catch (ZfsException e) {
                        throw new CompletionException(e);
                    }
                }, PROBES);
                boolean[] taken = {false};
                try {
                    TransportClient.PullResult<DatasetState> r = probe.client().pull(id.uuid(), base, header -> {
                        listener.started(candidate.address(), header,
                                header.incremental() ? -1 : candidate.info().usedBytes());
                        taken[0] = true;
                        return new ReceiveSink(join(receiving), listener);
                    });
                    return new PullOutcome(candidate.address(), r.header().snapshot(), false,
                            r.header().incremental(), r.stats(), Duration.ofNanos(System.nanoTime() - start),
                            Optional.of(r.value()), skipped, heads);
                } catch (TransportClient.UpToDateException e) {
                    return new PullOutcome(candidate.address(), e.newest(), true, true, new StreamStats(0, 0),
                            Duration.ofNanos(System.nanoTime() - start), Optional.empty(), skipped, heads);
                } catch (TransportException | InvalidStreamException e) {
                    String reason = where + ": " + e.getMessage();
                    LOG.log(Level.WARNING, "pull of " + id + " failed, trying the next replica: " + reason);
                    listener.failedOver(candidate.address(), e.getMessage());
                    reasons.add(reason);
                } finally {
                    if (!taken[0]) { // no stream came: the receive started for it goes before anything else is tried
                        closeUnused(receiving);
                    }
                }
            }
            if (!diverged.isEmpty() && reasons.isEmpty()) {
                throw new DivergedException("every replica has diverged from the local copy of " + id
                        + ", which is not overwritten: " + String.join("; ", diverged));
            }
            reasons.addAll(diverged);
            throw new NoReplicaException("cannot fetch " + id, reasons);
        }
    }

    /**
     * The plan that brings the local copy (its snapshots; null if there is none) to a replica's
     * newest. A local copy without any snapshot shares nothing with anyone: diverged.
     */
    private static Plan planPull(Candidate candidate, List<Snapshot> localSnaps) {
        List<Plan.Point> remote = points(candidate.info().snapshots());
        if (localSnaps == null) {
            // A project without a snapshot yet: the server takes one when asked to send it.
            return remote.isEmpty() ? new Plan.Full(new Plan.Point("(taken when sent)", 0)) : new Plan.Full(
                    remote.get(remote.size() - 1));
        }
        List<Plan.Point> local = Plan.points(localSnaps);
        if (remote.isEmpty() || local.isEmpty()) {
            return new Plan.Diverged(remote.isEmpty() ? new Plan.Point("(no snapshot)", 0) : remote.get(remote.size() - 1),
                    local.isEmpty() ? new Plan.Point("(no snapshot)", 0) : local.get(local.size() - 1), Optional.empty());
        }
        return Plan.between(remote, local);
    }

    /**
     * Before a full fetch: the project's live data (as the replica measures it) must fit what the
     * local pool has free, after {@link #room} evicted what it could; otherwise it fails at once,
     * naming both sizes, instead of streaming until the pool is full.
     *
     * @throws OutOfSpaceException if it does not fit
     */
    private void requireRoom(ProjectId id, DatasetName target, Candidate candidate, OptionalLong freeNow)
            throws ZfsException {
        long need = candidate.info().referencedBytes();
        if (need <= 0) {
            return;
        }
        DatasetName parent = parent(target);
        long free = freeNow.isPresent() ? freeNow.getAsLong() : zfs.availableBytes(parent);
        long freed = 0;
        if (need > free) {
            freed = room.make(id, need - free);
            free = zfs.availableBytes(parent);
        }
        if (need > free) {
            throw new OutOfSpaceException("cannot fetch " + id + ": it holds " + mib(need) + " on "
                    + Addresses.format(candidate.address()) + ", " + parent + " has " + mib(free) + " free"
                    + (freed > 0 ? " after evicting " + mib(freed) : " and nothing could be evicted")
                    + "; nothing was fetched", List.of(), 0, "");
        }
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB (%d bytes)", bytes / 1048576.0, bytes);
    }

    /** The local copy's snapshots (null if there is none) and, if there is none, the free bytes of its parent. */
    private record LocalSide(List<Snapshot> snapshots, OptionalLong free) {}

    private LocalSide localSide(DatasetName target) {
        try {
            List<Snapshot> snaps = localSnapshots(target);
            return new LocalSide(snaps, snaps == null ? OptionalLong.of(zfs.availableBytes(parent(target)))
                    : OptionalLong.empty());
        } catch (ZfsException e) {
            throw new CompletionException(e);
        }
    }

    private static void closeUnused(CompletableFuture<ReceiveStream> receiving) {
        try {
            join(receiving).close(); // aborts it: nothing was received, nothing is left
        } catch (ZfsException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "the receive started for a stream that did not come: " + e.getMessage());
        }
    }

    /** What a ZFS read or command started on another thread gave, or the ZfsException it threw. */
    private static <T> T join(CompletableFuture<T> f) throws ZfsException {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ZfsException z) {
                throw z;
            }
            throw e;
        }
    }

    private static DatasetName parent(DatasetName ds) {
        return DatasetName.of(ds.value().substring(0, ds.value().lastIndexOf('/')));
    }

    /** The local copy's snapshots, or null if there is no local copy. */
    private List<Snapshot> localSnapshots(DatasetName local) throws ZfsException {
        try {
            return zfs.listSnapshots(local);
        } catch (io.zproj.zfs.DatasetNotFoundException e) {
            return null;
        }
    }

    static List<Plan.Point> points(List<SnapshotEntry> entries) {
        return entries.stream().map(e -> new Plan.Point(e.name(), e.guid())).toList();
    }

    private static ReceiveOptions receiveOptions(boolean localExists, ProjectInfo info, Optional<Path> mountAt) {
        ReceiveOptions options = mountAt.map(ReceiveOptions.defaults()::withMountAt).orElse(ReceiveOptions.defaults());
        return !localExists && info.quotaBytes() > 0 ? options.withQuota(info.quotaBytes()) : options;
    }

    /**
     * Snapshots {@code <localRoot>/<id>} and sends it to {@code server}, incrementally from the
     * server's newest snapshot (which the local copy must have), in full if the server does not
     * hold the project.
     *
     * @throws DivergedException if the server has moved on from what the local copy has; nothing
     *                           is sent and nothing changes on either side (no snapshot is taken)
     */
    public PushOutcome push(ProjectId id, DatasetName localRoot, InetSocketAddress server, TransferListener listener)
            throws IOException {
        List<Snapshot> localSnaps = requireLocal(id, localRoot);
        try (TransportClient client = transport.connect(server, clientName)) {
            Optional<ProjectInfo> remote = remoteInfo(client, id);
            if (remote.isPresent() && !localSnaps.isEmpty()) {
                Plan plan = Plan.between(Plan.points(localSnaps), points(remote.get().snapshots()));
                if (plan instanceof Plan.Diverged d) {
                    throw diverged(id, server, d);
                }
                if (plan instanceof Plan.Behind b) {
                    throw new DivergedException(Addresses.format(server) + " holds " + id + " at " + b.targetHead()
                            + ", after the local copy's " + b.sourceHead() + ": a new snapshot would diverge from it;"
                            + " pull first; nothing was pushed");
                }
            }
        }
        return pushNewest(id, snapshotNow(localRoot.child(id)), server, listener, Optional.empty());
    }

    private static DivergedException diverged(ProjectId id, InetSocketAddress server, Plan.Diverged d) {
        return new DivergedException("the local copy of " + id + " and " + Addresses.format(server)
                + " have diverged: " + d.describe("the local copy", Addresses.format(server)) + "; nothing was pushed");
    }

    private java.util.function.ToLongFunction<ProjectId> writerRevision = id -> 0;

    /** Where pushes learn the revision of the writer key this host holds (0: none), for servers that fence by it. */
    public void writerRevisions(java.util.function.ToLongFunction<ProjectId> revisions) {
        this.writerRevision = revisions;
    }

    /**
     * Sends the local copy's newest snapshot to {@code server}: incrementally from the server's
     * newest, which the local copy must have; in full if the server does not hold the project;
     * nothing if the server already has that snapshot ({@link PushOutcome#upToDate()}), even if
     * it has newer ones (then the local copy is behind, not diverged: a pull brings it up).
     *
     * @throws DivergedException if the server has moved on from what the local copy has
     */
    public PushOutcome pushNewest(ProjectId id, DatasetName localRoot, InetSocketAddress server,
            TransferListener listener) throws IOException {
        return pushNewest(id, requireLocal(id, localRoot), server, listener, Optional.empty());
    }

    /**
     * {@link #pushNewest(ProjectId, DatasetName, InetSocketAddress, TransferListener)} with the
     * local copy's snapshots as the caller has just listed them (a write-back lists once for all
     * its replicas). With {@code lastAcked}, the snapshot the server acked last, the stream from
     * there is offered at once, without asking the server what it holds; if the server refuses
     * it (it moved on, or lost the project), nothing was changed there and the push goes on as
     * without it.
     */
    PushOutcome pushNewest(ProjectId id, List<Snapshot> localSnaps, InetSocketAddress server,
            TransferListener listener, Optional<SnapshotEntry> lastAcked) throws IOException {
        long start = System.nanoTime();
        try (TransportClient client = transport.connect(server, clientName)) {
            Snapshot newest = Snapshots.newest(localSnaps).orElseThrow(() -> new CacheException(
                    "the local copy of " + id + " has no snapshot to send"));
            Optional<Snapshot> guess = lastAcked.filter(a -> a.guid() != newest.guid())
                    .flatMap(a -> Snapshots.byGuid(localSnaps, a.guid()));
            if (guess.isPresent()) {
                try {
                    return send(client, id, server, newest, guess, listener, start);
                } catch (TransportClient.PushRefusedException e) { // refused before the stream: ask, and go on
                    if (e.code() != ErrorCode.DIVERGED && e.code() != ErrorCode.NOT_FOUND
                            && e.code() != ErrorCode.EXISTS) {
                        throw e;
                    }
                    LOG.log(Level.DEBUG, () -> Addresses.format(server) + " is no longer at " + lastAcked.get()
                            + " (" + e.getMessage() + "); asking it what it holds");
                }
            }
            Optional<ProjectInfo> remote = remoteInfo(client, id);
            Plan plan = Plan.between(Plan.points(localSnaps),
                    remote.map(r -> points(r.snapshots())).orElse(List.of()));
            if (plan instanceof Plan.UpToDate || plan instanceof Plan.Behind) {
                return new PushOutcome(server, new Ack(id.uuid(), entry(newest)), true, true,
                        new StreamStats(0, 0), Duration.ofNanos(System.nanoTime() - start));
            }
            if (plan instanceof Plan.Diverged d) {
                throw diverged(id, server, d);
            }
            Optional<Snapshot> base = plan instanceof Plan.Incremental inc
                    ? Snapshots.byGuid(localSnaps, inc.from().guid()) : Optional.empty();
            return send(client, id, server, newest, base, listener, start);
        } catch (RemoteException e) {
            if (e.code() == ErrorCode.DIVERGED) {
                throw new DivergedException(e.getMessage());
            }
            throw e;
        }
    }

    /** Streams {@code newest} to the server, from {@code base} (or in full), and returns its ack. */
    private PushOutcome send(TransportClient client, ProjectId id, InetSocketAddress server, Snapshot newest,
            Optional<Snapshot> base, TransferListener listener, long start) throws IOException {
        StreamHeader header = new StreamHeader(id.uuid(), entry(newest), base.map(ProjectTransfers::entry));
        SendStream send = zfs.send(newest.name(), base.map(Snapshot::name));
        // the listener hears of the stream once the server took it (its first read comes after READY):
        // a push refused before it, and tried again from the server's head, is told of once
        StreamSource source = StreamSource.of(counting(send.stream(), listener,
                () -> listener.started(server, header, -1)), send::finish, send::close);
        TransportClient.PushResult r = client.push(header, writerRevision.applyAsLong(id), source);
        return new PushOutcome(server, r.ack(), false, base.isPresent(), r.stats(),
                Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * Resolves a conflict in favour of the local copy on one server: the server's diverged
     * project is set aside there (renamed, kept with all its snapshots), then the local copy is
     * sent in full.
     *
     * @return the name the server keeps its diverged copy under
     */
    public String setAsideAndPush(ProjectId id, DatasetName localRoot, InetSocketAddress server) throws IOException {
        String keptAs;
        try (TransportClient client = transport.connect(server, clientName)) {
            ProjectInfo remote = client.info(id.uuid());
            SnapshotEntry head = remote.newest().orElseThrow(() -> new CacheException(
                    Addresses.format(server) + " holds " + id + " without a snapshot"));
            keptAs = client.setAside(id.uuid(), head.guid());
        }
        pushNewest(id, localRoot, server, TransferListener.NONE);
        return keptAs;
    }

    /** The local copy's snapshots. @throws CacheException if there is no local copy */
    private List<Snapshot> requireLocal(ProjectId id, DatasetName localRoot) throws IOException {
        List<Snapshot> snaps = localSnapshots(localRoot.child(id));
        if (snaps == null) {
            throw new CacheException("there is no local copy of " + id + " under " + localRoot);
        }
        return snaps;
    }

    static Optional<ProjectInfo> remoteInfo(TransportClient client, ProjectId id) throws TransportException {
        try {
            return Optional.of(client.info(id.uuid()));
        } catch (RemoteException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Takes a zproj snapshot named for now (to the millisecond; if one of that name exists, two
     * snapshots within one millisecond, the next millisecond's) and lists the snapshots after it.
     *
     * @return the local copy's snapshots, oldest first, the new one last
     */
    List<Snapshot> snapshotNow(DatasetName local) throws ZfsException {
        for (int attempt = 0; ; attempt++) {
            try {
                return zfs.snapshotAndList(local);
            } catch (DatasetExistsException e) {
                if (attempt >= 10) {
                    throw e;
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    static SnapshotEntry entry(Snapshot s) {
        return new SnapshotEntry(s.name().name(), s.guid(), s.createTxg(), s.creation().getEpochSecond());
    }

    static InputStream counting(InputStream in, TransferListener listener) {
        return counting(in, listener, () -> { });
    }

    /** {@link #counting}, and {@code beforeFirstRead} runs once, before the stream is first read. */
    static InputStream counting(InputStream in, TransferListener listener, Runnable beforeFirstRead) {
        return new FilterInputStream(in) {
            private long total;
            private boolean begun;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (!begun) {
                    begun = true;
                    beforeFirstRead.run();
                }
                int n = super.read(b, off, len);
                if (n > 0) {
                    total += n;
                    listener.progress(total);
                }
                return n;
            }
        };
    }

    /** A local {@code zfs receive} as the sink of a pulled stream. */
    private static final class ReceiveSink implements StreamSink<DatasetState> {
        private final ReceiveStream receive;
        private final TransferListener listener;
        private long total;

        ReceiveSink(ReceiveStream receive, TransferListener listener) {
            this.receive = receive;
            this.listener = listener;
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            receive.stream().write(buf, off, len);
            total += len;
            listener.progress(total);
        }

        @Override
        public DatasetState complete(long totalBytes) throws IOException {
            receive.finish();
            return receive.received();
        }

        @Override
        public void abort(String reason) {
            try {
                LOG.log(Level.INFO, "receive into " + receive.target() + " aborted (" + reason + "): " + receive.abort());
            } catch (ZfsException e) {
                LOG.log(Level.ERROR, "receive into " + receive.target() + " aborted, cleanup failed: " + e.getMessage());
            }
        }
    }
}
