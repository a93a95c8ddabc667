package io.zproj.transport;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One project in a server's list.
 *
 * @param newest     its newest snapshot, empty if it has none yet
 * @param usedBytes  bytes used on the server, snapshots included
 * @param quotaBytes its quota, 0 if none
 */
public record ProjectEntry(UUID id, Optional<SnapshotEntry> newest, long usedBytes, long quotaBytes) {

    public ProjectEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(newest, "newest");
    }
}
