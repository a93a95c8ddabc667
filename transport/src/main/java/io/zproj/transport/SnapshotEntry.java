package io.zproj.transport;

import java.util.Objects;

/**
 * A snapshot as the wire carries it: its short name, GUID (unsigned 64-bit), createtxg and
 * creation time in epoch seconds. Two entries describe the same snapshot when their GUIDs match.
 */
public record SnapshotEntry(String name, long guid, long createTxg, long creationEpochSecond) {

    public SnapshotEntry {
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return "@" + name + " (guid " + Long.toUnsignedString(guid) + ")";
    }
}
