package io.zproj.transport;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A project with all its snapshots, oldest first.
 *
 * @param quotaBytes its quota, 0 if none
 */
public record ProjectInfo(UUID id, long usedBytes, long quotaBytes, List<SnapshotEntry> snapshots) {

    public ProjectInfo {
        Objects.requireNonNull(id, "id");
        snapshots = List.copyOf(snapshots);
    }

    /** The newest snapshot, if any. */
    public Optional<SnapshotEntry> newest() {
        return snapshots.isEmpty() ? Optional.empty() : Optional.of(snapshots.get(snapshots.size() - 1));
    }
}
