package io.zproj.cache;

import io.zproj.zfs.DatasetName;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which local projects changed since their newest snapshot: ZFS's answer
 * ({@link Zfs#changedChildren}), whoever made the change (through {@code /projects}, in the
 * backing mount directly, or while no daemon ran). The daemon keeps no marks of its own.
 */
final class Changes {

    private final Zfs zfs;
    private final DatasetName cacheRoot;
    private final Set<ProjectId> changed = ConcurrentHashMap.newKeySet();

    Changes(Zfs zfs, DatasetName cacheRoot) {
        this.zfs = zfs;
        this.cacheRoot = cacheRoot;
    }

    /** Asks ZFS now (one probe for the whole pool) and remembers the answer. */
    Set<ProjectId> detect() throws IOException {
        Set<ProjectId> now = new HashSet<>();
        for (DatasetName ds : zfs.changedChildren(cacheRoot)) {
            if (ProjectId.isValid(ds.leaf())) {
                now.add(ProjectId.parse(ds.leaf()));
            }
        }
        changed.retainAll(now);
        changed.addAll(now);
        return now;
    }

    /** Asks ZFS now about one project (reading only its snapshots) and remembers the answer. */
    boolean detect(ProjectId id) throws IOException {
        boolean now = zfs.childChanged(cacheRoot, cacheRoot.child(id));
        if (now) {
            changed.add(id);
        } else {
            changed.remove(id);
        }
        return now;
    }

    /** Whether ZFS said, when last asked, that the project changed. */
    boolean has(ProjectId id) {
        return changed.contains(id);
    }

    /** A snapshot took the changes; the next ones are found by the next probe. */
    void snapshotted(ProjectId id) {
        changed.remove(id);
    }
}
