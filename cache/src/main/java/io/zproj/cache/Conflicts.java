package io.zproj.cache;

import io.zproj.transport.Addresses;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Snapshots;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Settling a conflict explicitly ({@code zproj resolve}): the losing copy is set aside (renamed,
 * kept with its snapshots), never destroyed, on whichever side it is.
 */
final class Conflicts {

    private static final System.Logger LOG = System.getLogger(Conflicts.class.getName());

    private final Zfs zfs;
    private final LocalProjects local;
    private final NativeMounts natives;
    private final WriteBack writeBack;
    private final ProjectTransfers transfers;
    private final CacheConfig config;
    private final Fleet fleet;
    private final Clock clock;

    private SnapshotViews views;

    /** The snapshot views to drop before a snapshot or copy goes (set once, before use). */
    void views(SnapshotViews v) {
        this.views = v;
    }

    private final ReplicaBases bases;

    Conflicts(Zfs zfs, LocalProjects local, NativeMounts natives, WriteBack writeBack, ProjectTransfers transfers,
            CacheConfig config, Fleet fleet, Clock clock, ReplicaBases bases) {
        this.zfs = zfs;
        this.bases = bases;
        this.local = local;
        this.natives = natives;
        this.writeBack = writeBack;
        this.transfers = transfers;
        this.config = config;
        this.fleet = fleet;
        this.clock = clock;
    }

    /**
     * {@code keepLocal}: each diverged replica's copy is set aside on that replica and replaced by
     * the local copy. Otherwise the first diverged replica wins: the local copy is set aside
     * locally, the winner's copy is fetched, and every other replica that does not already hold it
     * is set aside and replaced the same way.
     *
     * @return what was done, one line each
     */
    List<String> resolve(ProjectId id, boolean keepLocal) throws IOException {
        List<InetSocketAddress> diverged = writeBack.diverged(id);
        if (writeBack.conflict(id).isEmpty() || diverged.isEmpty()) {
            throw new CacheException(id + " is not conflicted");
        }
        List<String> done = new ArrayList<>();
        java.util.concurrent.locks.ReentrantLock lock = local.lockFor(id);
        lock.lock();
        try {
            writeBack.lock(id);
            try {
                if (keepLocal) {
                    keepLocal(id, diverged, done);
                } else {
                    keepRemote(id, diverged, done);
                }
                writeBack.resolved(id);
                local.synced(id, true);
            } finally {
                writeBack.unlock(id);
            }
        } finally {
            lock.unlock();
        }
        natives.request(id);
        LOG.log(Level.WARNING, "resolved the conflict of " + id + " keeping the " + (keepLocal ? "local" : "remote")
                + " copy: " + String.join("; ", done));
        return done;
    }

    private void keepLocal(ProjectId id, List<InetSocketAddress> diverged, List<String> done) throws IOException {
        for (InetSocketAddress server : diverged) {
            String keptAs = transfers.setAsideAndPush(id, config.cacheRoot(), server);
            done.add(Addresses.format(server) + ": its copy is kept as " + keptAs + "; it now holds the local copy");
        }
    }

    private void keepRemote(ProjectId id, List<InetSocketAddress> diverged, List<String> done) throws IOException {
        if (local.hasFilesOpenThroughDaemon(id)) {
            throw new CacheException("files are open in " + id + "; close them to replace the local copy");
        }
        InetSocketAddress winner = diverged.get(0);
        DatasetName ds = local.dataset(id);
        String keptAs = Snapshots.setAsideName(id, clock);
        local.unmount(id);
        views.drop(id);
        bases.releaseAll(ds); // no replica is based on a copy set aside: it may be destroyed by hand
        zfs.rename(ds, config.cacheRoot().child(keptAs));
        local.removed(id);
        done.add("the local copy is kept as " + config.cacheRoot().child(keptAs));
        ProjectTransfers.PullOutcome pulled = transfers.pull(id, config.cacheRoot(), List.of(winner),
                TransferListener.NONE);
        local.added(id);
        local.mountBacking(id);
        done.add("fetched " + pulled.snapshot() + " from " + Addresses.format(winner));
        for (InetSocketAddress other : fleet.servers()) {
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
}
