package io.zproj.cache;

import io.zproj.transport.Addresses;
import io.zproj.transport.SnapshotEntry;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes projects back: snapshots a project that has local changes (the snapshot is the cut:
 * writes go on meanwhile and count towards the next one), then sends every replica that lacks
 * the newest snapshot an incremental stream from its own newest, in parallel, and records the
 * acks. A replica that fails is retried later with backoff and catches up from where it is; one
 * that has diverged marks the project conflicted, is not written to again until resolved, and
 * nothing is overwritten on either side; the other replicas go on being written back.
 * Thread-safe; one write-back per project at a time.
 */
final class WriteBack {

    private static final System.Logger LOG = System.getLogger(WriteBack.class.getName());
    private static final long MAX_BACKOFF_MILLIS = 5 * 60_000;

    /**
     * What one replica holds of one project, as far as write-back knows, and how the last
     * transfer to it ended ({@code error} says why, if it failed).
     */
    record ReplicaState(Optional<SnapshotEntry> acked, Outcome outcome, String error, int failures,
            long nextAttemptMillis) {
        static final ReplicaState UNKNOWN = new ReplicaState(Optional.empty(), Outcome.OK, "", 0, 0);
    }

    /** What a write-back to one replica did: how it ended, and a line for the report. */
    record Result(Outcome outcome, String line, long bytes) {
        Result(Outcome outcome, String line) {
            this(outcome, line, 0);
        }
    }

    /** What a write-back of one project did. */
    record Report(ProjectId project, Optional<SnapshotEntry> newest, boolean snapshotted,
            Map<InetSocketAddress, Result> outcomes, boolean ok) {}

    private final Zfs zfs;
    private final ProjectTransfers transfers;
    private final CacheConfig config;
    private final Fleet fleet;
    private final Clock clock;
    private final Map<ProjectId, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<ProjectId, Map<InetSocketAddress, ReplicaState>> replicas = new ConcurrentHashMap<>();
    private final Map<ProjectId, String> conflicted = new ConcurrentHashMap<>();
    /** Conflicted because another host writes the project now: not pushed anywhere (it would be refused). */
    private final java.util.Set<ProjectId> notWriter = ConcurrentHashMap.newKeySet();
    private final ExecutorService pushes;
    private final Transfers inProgress;
    private SnapshotViews views;

    /** The snapshot views to drop before a snapshot or copy goes (set once, before use). */
    void views(SnapshotViews v) {
        this.views = v;
    }

    private final ReplicaBases bases;
    private volatile CacheMeters meters;
    /** Per replica, the projects it lacks a snapshot of, and since when (for its lag). */
    private final Map<InetSocketAddress, Map<ProjectId, Long>> lackingSince = new ConcurrentHashMap<>();

    /** Where write-backs are counted (set once, before the first). */
    void meters(CacheMeters m) {
        this.meters = m;
    }

    /** How long {@code replica} has lacked a snapshot taken here, in seconds (0: none). */
    double lagSeconds(InetSocketAddress replica) {
        long now = clock.millis();
        long oldest = now;
        for (long since : lackingSince.getOrDefault(replica, Map.of()).values()) {
            oldest = Math.min(oldest, since);
        }
        return (now - oldest) / 1000.0;
    }

    WriteBack(Zfs zfs, ProjectTransfers transfers, CacheConfig config, Fleet fleet, Clock clock,
            Transfers inProgress, ReplicaBases bases) {
        this.inProgress = inProgress;
        this.bases = bases;
        this.zfs = zfs;
        this.transfers = transfers;
        this.config = config;
        this.fleet = fleet;
        this.clock = clock;
        this.pushes = Executors.newCachedThreadPool(Threads.named("zproj-write-back"));
    }

    /** Whether a replica of the project failed and is due for another try. Costs no I/O. */
    boolean retryDue(ProjectId id) {
        long now = clock.millis();
        for (ReplicaState r : replicas.getOrDefault(id, Map.of()).values()) {
            if (r.failures() > 0 && r.nextAttemptMillis() <= now) {
                return true;
            }
        }
        return false;
    }

    /** Whether a write-back of the project was tried since the start (its replicas' positions are known). */
    boolean tried(ProjectId id) {
        return replicas.containsKey(id);
    }

    /**
     * Writes one project back now: snapshot if it has changes, then every replica brought to the
     * newest snapshot.
     *
     * @param changed ZFS says the project changed since its newest snapshot: take one (never an
     *                empty one, which would hide later changes from ZFS's change detection)
     */
    Report run(ProjectId id, boolean changed) throws IOException {
        ReentrantLock lock = locks.computeIfAbsent(id, k -> new ReentrantLock());
        lock.lock();
        try {
            DatasetName local = config.cacheRoot().child(id);
            // the cut, if changed: what is written from now on is the next snapshot's
            List<Snapshot> snapshots = changed ? transfers.snapshotNow(local) : zfs.listSnapshots(local);
            boolean snapshotted = changed;
            Optional<Snapshot> newest = io.zproj.zfs.Snapshots.newest(snapshots);
            Map<InetSocketAddress, Future<Result>> running = new LinkedHashMap<>();
            for (InetSocketAddress server : fleet.servers()) {
                ReplicaState known = replicas.getOrDefault(id, Map.of()).getOrDefault(server, ReplicaState.UNKNOWN);
                if (notWriter.contains(id)) {
                    running.put(server, java.util.concurrent.CompletableFuture.completedFuture(new Result(
                            Outcome.DIVERGED, "not written back: " + conflicted.get(id))));
                } else if (known.outcome() == Outcome.DIVERGED && conflicted.containsKey(id)
                        || known.outcome() == Outcome.REFUSED && !snapshotted && known.acked().isPresent()) {
                    running.put(server, java.util.concurrent.CompletableFuture.completedFuture(new Result(
                            known.outcome(), known.outcome().word() + ": " + known.error() + " (not retried until "
                            + (known.outcome() == Outcome.DIVERGED ? "resolved)" : "the next change)"))));
                } else {
                    running.put(server, pushes.submit(() -> pushTo(id, snapshots, server)));
                }
            }
            Map<InetSocketAddress, Result> outcomes = new LinkedHashMap<>();
            boolean ok = true;
            for (Map.Entry<InetSocketAddress, Future<Result>> f : running.entrySet()) {
                Result outcome;
                try {
                    outcome = f.getValue().get();
                } catch (ExecutionException e) {
                    outcome = new Result(Outcome.of(e.getCause()), "failed: " + e.getCause().getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    outcome = new Result(Outcome.TEMPORARY, "failed: interrupted");
                }
                outcomes.put(f.getKey(), outcome);
                ok &= outcome.outcome() == Outcome.OK;
                Map<ProjectId, Long> lacking = lackingSince.computeIfAbsent(f.getKey(), k -> new ConcurrentHashMap<>());
                if (outcome.outcome() == Outcome.OK) {
                    lacking.remove(id);
                } else {
                    lacking.putIfAbsent(id, clock.millis());
                }
                meters.wroteBack(f.getKey(), outcome.outcome(), outcome.bytes(), this::lagSeconds);
            }
            Map<InetSocketAddress, SnapshotEntry> acked = new LinkedHashMap<>();
            replicas.getOrDefault(id, Map.of()).forEach((server, st) -> {
                if (outcomes.containsKey(server) && outcomes.get(server).outcome() == Outcome.OK) {
                    st.acked().ifPresent(a -> acked.put(server, a));
                }
            });
            if (!acked.isEmpty()) { // one record of every replica that acked, off the caller's path
                bases.record(local, acked);
            }
            prune(id, local, snapshots);
            return new Report(id, newest.map(ProjectTransfers::entry), snapshotted, outcomes, ok);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Applies the keep policy to the local copy, once the position of every replica is known:
     * the snapshot each one is at stays, so that each can always be caught up incrementally (it
     * is also held, see {@link ReplicaBases}; a base recorded there counts as known).
     */
    private void prune(ProjectId id, DatasetName local, List<Snapshot> snapshots) {
        java.util.Set<Long> keep = new java.util.HashSet<>();
        Map<InetSocketAddress, ReplicaState> known = replicas.getOrDefault(id, Map.of());
        try {
            bases.forgetGone(local, java.util.Set.copyOf(fleet.servers()));
            Map<String, ReplicaBases.Base> recorded = bases.bases(local);
            for (InetSocketAddress server : fleet.servers()) {
                Optional<SnapshotEntry> at = known.getOrDefault(server, ReplicaState.UNKNOWN).acked();
                ReplicaBases.Base base = recorded.get(Addresses.format(server));
                if (at.isEmpty() && base == null) {
                    return; // a replica whose position is unknown might need any of them
                }
                at.ifPresent(a -> keep.add(a.guid()));
                if (base != null) {
                    keep.add(base.guid());
                }
            }

            List<Snapshot> going = io.zproj.zfs.Pruning.toDestroy(snapshots, config.keep(), clock.instant(),
                    keep, config.keep().foreign());
            if (going.isEmpty()) {
                return;
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            going.forEach(s -> names.add(s.name().name()));
            views.drop(id, names); // a snapshot being browsed is not kept for that
            List<Snapshot> pruned = zfs.destroySnapshots(going);
            if (!pruned.isEmpty()) {
                LOG.log(Level.INFO, "pruned " + pruned.size() + " old local snapshots of " + id);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "pruning " + id + " failed: " + e.getMessage());
        }
    }

    /** Brings one replica to the local newest snapshot; says how that ended. */
    private Result pushTo(ProjectId id, List<Snapshot> snapshots, InetSocketAddress server) {
        Map<InetSocketAddress, ReplicaState> known = replicas.computeIfAbsent(id, k -> new ConcurrentHashMap<>());
        ReplicaState before = known.getOrDefault(server, ReplicaState.UNKNOWN);
        try {
            ProjectTransfers.PushOutcome out;
            try {
                out = transfers.pushNewest(id, snapshots, server,
                        inProgress.track(id, "writing back to " + Addresses.format(server)),
                        before.outcome() == Outcome.OK ? before.acked() : Optional.empty());
            } finally {
                inProgress.done(id);
            }
            known.put(server, new ReplicaState(Optional.of(out.ack().snapshot()), Outcome.OK, "", 0, 0));
            if (out.upToDate()) {
                return new Result(Outcome.OK, "up to date at " + out.ack().snapshot());
            }
            LOG.log(Level.INFO, "wrote back " + id + " " + out.ack().snapshot() + " to " + Addresses.format(server)
                    + ": " + out.stats().rawBytes() + " bytes (" + out.stats().wireBytes() + " on the wire)");
            return new Result(Outcome.OK, "acked " + out.ack().snapshot() + (out.incremental() ? " (incremental, "
                    : " (full, ") + out.stats().rawBytes() + " bytes, " + out.stats().wireBytes() + " on the wire)",
                    out.stats().rawBytes());
        } catch (IOException | RuntimeException e) {
            Outcome outcome = Outcome.of(e);
            if (outcome == Outcome.DIVERGED) {
                if (conflicted.put(id, e.getMessage()) == null) {
                    meters.conflicted();
                }
                known.put(server, new ReplicaState(before.acked(), outcome, e.getMessage(), before.failures(), 0));
                LOG.log(Level.ERROR, "write-back of " + id + " to " + Addresses.format(server) + " refused, the "
                        + "project is now conflicted (nothing overwritten on either side): " + e.getMessage());
                return new Result(outcome, "diverged: " + e.getMessage());
            }
            int failures = before.failures() + 1;
            long backoff = outcome.permanent() ? MAX_BACKOFF_MILLIS
                    : Math.min(MAX_BACKOFF_MILLIS, 1000L << Math.min(failures, 20));
            known.put(server, new ReplicaState(before.acked(), outcome, e.getMessage(), failures,
                    clock.millis() + backoff));
            LOG.log(Level.WARNING, "write-back of " + id + " to " + Addresses.format(server) + " failed, "
                    + outcome.word() + " (attempt " + failures + ", next in " + backoff / 1000 + " s): " + e.getMessage());
            return new Result(outcome, outcome.word() + " failure: " + e.getMessage());
        }
    }

    /**
     * A pull found that a replica has diverged from the local copy (and used another): status
     * shows it on that replica. The project is not conflicted for that alone: only a write-back
     * that the replica refuses makes it so (the local copy then has something to lose).
     */
    void diverged(ProjectId id, ProjectTransfers.Skipped skipped) {
        Map<InetSocketAddress, ReplicaState> known = replicas.computeIfAbsent(id, k -> new ConcurrentHashMap<>());
        ReplicaState before = known.getOrDefault(skipped.server(), ReplicaState.UNKNOWN);
        known.put(skipped.server(), new ReplicaState(before.acked(), Outcome.DIVERGED, "seen by a pull: " + skipped.why(),
                before.failures(), 0));
    }

    /** Holds off write-backs of a project (for a resolve); pair with {@link #unlock}. */
    void lock(ProjectId id) {
        locks.computeIfAbsent(id, k -> new ReentrantLock()).lock();
    }

    void unlock(ProjectId id) {
        locks.get(id).unlock();
    }

    /** What each replica holds of a project, as last seen. */
    Map<InetSocketAddress, ReplicaState> replicas(ProjectId id) {
        return Map.copyOf(replicas.getOrDefault(id, Map.of()));
    }

    /** The replicas a project has diverged from. */
    List<InetSocketAddress> diverged(ProjectId id) {
        List<InetSocketAddress> out = new ArrayList<>();
        replicas.getOrDefault(id, Map.of()).forEach((server, st) -> {
            if (st.outcome() == Outcome.DIVERGED) {
                out.add(server);
            }
        });
        return out;
    }

    /**
     * Forgets a conflict once it is resolved: every replica is written to again, and none counts
     * as lacking the project's snapshots (the resolve brought each one the winning copy).
     */
    void resolved(ProjectId id) {
        notWriter.remove(id);
        conflicted.remove(id);
        replicas.remove(id);
        lackingSince.values().forEach(lacking -> lacking.remove(id));
    }

    /**
     * The project has changes made here, but another host holds its writer key now (this host
     * lost it while away): the changes are kept, never pushed, until resolved.
     */
    void notTheWriter(ProjectId id, String why) {
        notWriter.add(id);
        if (conflicted.put(id, why) == null && meters != null) {
            meters.conflicted();
        }
        LOG.log(Level.ERROR, id + " is conflicted: " + why);
    }

    /** Why a project is conflicted, if it is. */
    Optional<String> conflict(ProjectId id) {
        return Optional.ofNullable(conflicted.get(id));
    }

    /** Whether a write-back of the project is running now. */
    boolean running(ProjectId id) {
        ReentrantLock l = locks.get(id);
        return l != null && l.isLocked();
    }

    void close() {
        pushes.shutdownNow();
    }

    static List<String> lines(Report r) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<InetSocketAddress, Result> e : r.outcomes().entrySet()) {
            out.add(r.project() + " " + Addresses.format(e.getKey()) + ": " + e.getValue().line());
        }
        return out;
    }
}
