package io.zproj.zfs;

import java.util.List;
import java.util.Optional;

/**
 * A dataset's space and its snapshots, oldest first, as one {@code zfs get -d 1} read them.
 */
public record DatasetState(DatasetInfo info, List<Snapshot> snapshots) {

    public DatasetState {
        snapshots = List.copyOf(snapshots);
    }

    /** The newest snapshot, if any. */
    public Optional<Snapshot> newest() {
        return Snapshots.newest(snapshots);
    }
}
