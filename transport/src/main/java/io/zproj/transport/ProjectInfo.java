package io.zproj.transport;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A project with all its snapshots, oldest first.
 *
 * @param usedBytes       what the project and its snapshots take on the server
 * @param referencedBytes what its live data takes: about what a full fetch needs locally
 * @param quotaBytes      its quota, 0 if none
 */
public record ProjectInfo(UUID id, long usedBytes, long referencedBytes, long quotaBytes,
        List<SnapshotEntry> snapshots) {

    public ProjectInfo {
        Objects.requireNonNull(id, "id");
        snapshots = List.copyOf(snapshots);
    }

    /** The newest snapshot, if any. */
    public Optional<SnapshotEntry> newest() {
        return snapshots.isEmpty() ? Optional.empty() : Optional.of(snapshots.get(snapshots.size() - 1));
    }
}
