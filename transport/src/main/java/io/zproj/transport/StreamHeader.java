package io.zproj.transport;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What a stream carries: project {@code project} at {@code snapshot}, in full when
 * {@code base} is empty, otherwise incremental from {@code base}.
 */
public record StreamHeader(UUID project, SnapshotEntry snapshot, Optional<SnapshotEntry> base) {

    public StreamHeader {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(base, "base");
    }

    public boolean incremental() {
        return base.isPresent();
    }

    @Override
    public String toString() {
        return project + " " + snapshot + base.map(b -> " from " + b).orElse(" (full)");
    }
}
