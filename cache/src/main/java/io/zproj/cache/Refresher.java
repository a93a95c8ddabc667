package io.zproj.cache;

import io.zproj.transport.ProjectEntry;
import io.zproj.transport.SnapshotEntry;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Refresh of mounted projects: after each list refresh, a clean mounted project whose replica's
 * head is not the local head is unmounted (native and backing), received into and mounted again,
 * so no kernel entry from before the receive survives. A project in use is left as it is, and
 * {@link #behind} says by how many snapshots, until it is no longer used.
 */
final class Refresher {

    private static final System.Logger LOG = System.getLogger(Refresher.class.getName());

    private final Zfs zfs;
    private final LocalProjects local;
    private final NativeMounts natives;
    private final FaultIn faultIn;
    private final ProjectTransfers transfers;
    private final CacheConfig config;
    private final Fleet fleet;
    private final ExecutorService threads;
    /** Not to be refreshed now: it has local changes, or is conflicted. */
    private final Predicate<ProjectId> keepAsItIs;
    private final Map<ProjectId, Integer> behind = new ConcurrentHashMap<>();
    private final Set<ProjectId> running = ConcurrentHashMap.newKeySet();
    /**
     * The local snapshots (GUIDs) and newest one of each project as last listed, so that a list
     * that brings nothing new costs no zfs command; listed again whenever a listed head is not
     * among them. Only ever stale towards asking ZFS again.
     */
    private final Map<ProjectId, Set<Long>> known = new ConcurrentHashMap<>();
    private final Map<ProjectId, Long> heads = new ConcurrentHashMap<>();

    Refresher(Zfs zfs, LocalProjects local, NativeMounts natives, FaultIn faultIn, ProjectTransfers transfers,
            CacheConfig config, Fleet fleet, ExecutorService threads, Predicate<ProjectId> keepAsItIs) {
        this.zfs = zfs;
        this.local = local;
        this.natives = natives;
        this.faultIn = faultIn;
        this.transfers = transfers;
        this.config = config;
        this.fleet = fleet;
        this.threads = threads;
        this.keepAsItIs = keepAsItIs;
    }

    /** Whether some project was left behind because it was in use (and waits for another try). */
    boolean anyDeferred() {
        return !behind.isEmpty();
    }

    /** Snapshots a replica has after the local head, for a project left behind because it is in use (-1: unknown). */
    Optional<Integer> behind(ProjectId id) {
        return Optional.ofNullable(behind.get(id));
    }

    /** The project is as a replica has it now. */
    void caughtUp(ProjectId id) {
        behind.remove(id);
    }

    /**
     * Refreshes at once per host, whichever replica each pulls from: a change many projects share
     * (a replica back after a week) does not have every host pull them all at the same moment.
     */
    static final int MAX_PARALLEL_REFRESHES = 2;
    private final java.util.concurrent.Semaphore refreshPermits = new java.util.concurrent.Semaphore(
            MAX_PARALLEL_REFRESHES);

    /**
     * Refreshes every mounted clean project whose replica's head is not the local head, at most
     * {@link #MAX_PARALLEL_REFRESHES} at once, and returns when they are done (or deferred because
     * they are in use).
     */
    void refreshBehind(Map<ProjectId, ProjectEntry> listed) {
        natives.remount(local.mounted());
        if (anyNews(listed) && !relist()) {
            return;
        }
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (ProjectId id : local.mounted()) {
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
            if (known.getOrDefault(id, Set.of()).contains(theirs)) {
                continue; // the local copy is ahead: write-back's to do
            }
            if (!keepAsItIs.test(id) && running.add(id)) {
                started.add(CompletableFuture.runAsync(() -> {
                    try {
                        refreshPermits.acquireUninterruptibly();
                        try {
                            refreshMounted(id);
                        } finally {
                            refreshPermits.release();
                        }
                    } finally {
                        running.remove(id);
                    }
                }, threads));
            }
        }
        CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).join();
    }

    private boolean anyNews(Map<ProjectId, ProjectEntry> listed) {
        for (ProjectId id : local.mounted()) {
            ProjectEntry e = listed.get(id);
            if (e != null && e.newest().isPresent() && !known.getOrDefault(id, Set.of()).contains(e.newest().get().guid())) {
                return true;
            }
        }
        return false;
    }

    /** Lists every local project's snapshots in one zfs command. */
    private boolean relist() {
        Map<DatasetName, List<Snapshot>> snapshots;
        try {
            snapshots = zfs.listChildSnapshots(config.cacheRoot());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot list the local snapshots: " + e.getMessage());
            return false;
        }
        snapshots.forEach((ds, list) -> {
            if (ProjectId.isValid(ds.leaf())) {
                ProjectId id = ProjectId.parse(ds.leaf());
                known.put(id, list.stream().map(Snapshot::guid).collect(Collectors.toSet()));
                if (!list.isEmpty()) {
                    heads.put(id, list.get(list.size() - 1).guid());
                }
            }
        });
        return true;
    }

    /**
     * Refreshes one mounted clean project: unmounts it, receives, mounts it again. In use: left
     * as it is, and {@link #behind} says how far behind.
     */
    void refreshMounted(ProjectId id) {
        try {
            java.util.concurrent.locks.ReentrantLock lock = local.lockFor(id);
            lock.lock();
            try {
                if (local.backing(id) == null || keepAsItIs.test(id)) {
                    return;
                }
                if (local.hasFilesOpenThroughDaemon(id)) {
                    defer(id, "files are open in it through the daemon");
                    return;
                }
                try {
                    local.unmount(id);
                } catch (ProjectBusyException e) {
                    defer(id, e.getMessage());
                    return;
                }
                try {
                    faultIn.pullLocked(id, true, true);
                } finally {
                    local.mountBacking(id);
                }
            } finally {
                lock.unlock();
            }
            natives.request(id);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "refresh of " + id + " failed: " + e.getMessage());
        }
    }

    private void defer(ProjectId id, String why) {
        int n = snapshotsBehind(id);
        Integer before = behind.put(id, n);
        if (before == null || before != n) {
            LOG.log(Level.INFO, "not refreshing " + id + " now (" + why + "): it is " + (n < 0 ? "behind"
                    : n + " snapshot(s) behind") + "; it is refreshed once it is no longer in use");
        }
    }

    /** How many snapshots the best replica has after the local head; -1 if that cannot be told. */
    private int snapshotsBehind(ProjectId id) {
        try {
            Optional<Snapshot> head = zfs.newestSnapshot(local.dataset(id));
            ProjectTransfers.Ranking r = transfers.rank(id, fleet.servers());
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
}
