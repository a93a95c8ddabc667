package io.zproj.cache;

import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One writer per project, where the fleet keeps writer keys (etcd): a project is mounted
 * read-write only on the host that holds its key, read-only everywhere else ({@code readonly=on}
 * on the cached dataset, which zfs-fuse enforces at once for the native mount and the
 * passthrough alike: EROFS). The key is taken before the project is refreshed and the dataset
 * made writable only after, so a writer always starts from the newest snapshot. Without writer
 * keys every host writes, as before, and nothing here costs a command.
 */
final class WriteAccess {

    private static final System.Logger LOG = System.getLogger(WriteAccess.class.getName());

    private final Zfs zfs;
    private final LocalProjects local;
    private final Fleet fleet;
    private final Set<ProjectId> readOnly = ConcurrentHashMap.newKeySet();

    private final java.util.function.Predicate<ProjectId> unsynced;
    private final java.util.function.BiConsumer<ProjectId, String> conflicted;

    /**
     * @param unsynced   whether the project has changes here that no replica has
     * @param conflicted marks such a project conflicted when another host writes it now
     */
    WriteAccess(Zfs zfs, LocalProjects local, Fleet fleet, java.util.function.Predicate<ProjectId> unsynced,
            java.util.function.BiConsumer<ProjectId, String> conflicted) {
        this.zfs = zfs;
        this.local = local;
        this.fleet = fleet;
        this.unsynced = unsynced;
        this.conflicted = conflicted;
        fleet.onWritersLost(this::lost);
    }

    /** Under the project's lock, before it is refreshed: takes its writer key if it is free. */
    boolean claim(ProjectId id) {
        return !fleet.hasWriterKeys() || fleet.takeWriter(id);
    }

    /** Under the project's lock, after its refresh, before it is mounted: writable as claimed. */
    void apply(ProjectId id, boolean writable) throws IOException {
        if (!fleet.hasWriterKeys()) {
            return;
        }
        zfs.setProperty(local.dataset(id), "readonly", writable ? "off" : "on");
        if (writable) {
            readOnly.remove(id);
        } else {
            readOnly.add(id);
            LOG.log(Level.INFO, id + " is served read-only: " + fleet.writer(id).map(w -> w + " writes it")
                    .orElse("its writer key could not be taken"));
            if (unsynced.test(id)) { // written here while this host held the key, and not written back
                conflicted.accept(id, "it has changes made here that no replica has, but "
                        + fleet.writer(id).orElse("another host") + " writes it now: they are kept here, read-only, "
                        + "and not written back (zproj take once it lets go, then zproj resolve)");
            }
        }
    }

    boolean isReadOnly(ProjectId id) {
        return readOnly.contains(id);
    }

    /** Who writes the project, if another host does. */
    Optional<String> writer(ProjectId id) {
        return fleet.writer(id);
    }

    /** The project is no longer local. */
    void forget(ProjectId id) {
        readOnly.remove(id);
    }

    /** This host's lease is gone, and with it its keys: those projects become read-only now. */
    private void lost(Set<ProjectId> ids) {
        for (ProjectId id : ids) {
            if (local.isLocal(id)) {
                try {
                    zfs.setProperty(local.dataset(id), "readonly", "on");
                    readOnly.add(id);
                } catch (IOException e) {
                    LOG.log(Level.ERROR, "cannot make " + id + " read-only after losing its writer key: "
                            + e.getMessage());
                }
            }
        }
    }
}
