package io.zproj.transport;

import java.util.Objects;
import java.util.UUID;

/** A server's acknowledgement that it holds {@code project} at {@code snapshot}. */
public record Ack(UUID project, SnapshotEntry snapshot) {

    public Ack {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(snapshot, "snapshot");
    }
}
