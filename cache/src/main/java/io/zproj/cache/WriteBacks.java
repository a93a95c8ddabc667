package io.zproj.cache;

import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * When write-back runs: every interval for what ZFS says changed and for replicas due a retry,
 * on {@code zproj sync}, before eviction and at shutdown. Each run is a {@link WriteBack}; whether
 * every replica acked is kept in the state, across restarts.
 */
final class WriteBacks {

    private static final System.Logger LOG = System.getLogger(WriteBacks.class.getName());

    private final LocalProjects local;
    private final Changes changes;
    private final WriteBack writeBack;

    WriteBacks(LocalProjects local, Changes changes, WriteBack writeBack) {
        this.local = local;
        this.changes = changes;
        this.writeBack = writeBack;
    }

    /** One write-back of one project; {@code changed} as ZFS just said. */
    WriteBack.Report run(ProjectId id, boolean changed) throws IOException {
        try {
            WriteBack.Report r = writeBack.run(id, changed);
            if (r.snapshotted()) {
                changes.snapshotted(id);
            }
            local.synced(id, r.ok());
            return r;
        } catch (IOException | RuntimeException e) {
            local.synced(id, false);
            throw e;
        }
    }

    /**
     * The periodic run: every project ZFS says changed, with a replica due for a retry, or found
     * unsynced at start (a replica lacked its newest snapshot) and not tried since.
     */
    void due() {
        Set<ProjectId> changed;
        try {
            changed = changes.detect();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot ask ZFS what changed: " + e.getMessage());
            return;
        }
        Set<ProjectId> unsynced = local.allUnsynced();
        for (ProjectId id : local.ids()) {
            if (changed.contains(id) || writeBack.retryDue(id) || unsynced.contains(id) && !writeBack.tried(id)) {
                try {
                    run(id, changed.contains(id));
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "write-back of " + id + " failed: " + e.getMessage());
                }
            }
        }
    }

    /**
     * Writes back now, and returns when every replica has acked or says which did not: one
     * project, or every cached project.
     */
    ProjectCache.SyncReport sync(Optional<ProjectId> only) {
        List<ProjectId> ids = only.map(List::of).orElseGet(local::ids);
        Set<ProjectId> changed;
        try {
            if (only.isPresent() && local.isLocal(only.get())) { // one project: only its snapshots are read
                changed = changes.detect(only.get()) ? Set.of(only.get()) : Set.of();
            } else {
                changed = changes.detect();
            }
        } catch (IOException e) {
            return new ProjectCache.SyncReport(List.of("cannot ask ZFS what changed: " + e.getMessage()), false);
        }
        List<String> lines = new ArrayList<>();
        boolean ok = true;
        for (ProjectId id : ids) {
            if (!local.isLocal(id)) {
                lines.add(id + ": not cached here");
                ok = false;
                continue;
            }
            try {
                WriteBack.Report r = run(id, changed.contains(id));
                lines.addAll(WriteBack.lines(r));
                ok &= r.ok();
            } catch (IOException | RuntimeException e) {
                lines.add(id + ": write-back failed: " + e.getMessage());
                ok = false;
            }
        }
        return new ProjectCache.SyncReport(lines, ok);
    }

    /** At shutdown: what changed, and what a replica still lacks. */
    void atShutdown() {
        Set<ProjectId> toWrite = new java.util.HashSet<>(local.allUnsynced());
        try {
            toWrite.addAll(changes.detect());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot ask ZFS what changed at shutdown (" + e.getMessage()
                    + "); the next start asks again");
        }
        for (ProjectId id : toWrite) {
            if (local.isLocal(id)) {
                try {
                    WriteBack.Report r = run(id, changes.has(id));
                    if (!r.ok()) {
                        LOG.log(Level.WARNING, "at shutdown, " + id + " is not on every replica: "
                                + String.join("; ", WriteBack.lines(r)) + "; it is written back at the next start");
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "write-back of " + id + " at shutdown failed: " + e.getMessage());
                }
            }
        }
    }
}
