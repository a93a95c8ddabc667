package io.zproj.server;

import io.zproj.transport.SnapshotEntry;
import io.zproj.zfs.Snapshot;

/** The bridge's snapshots as the transport describes them. */
final class Streams {

    private Streams() {}

    static SnapshotEntry entry(Snapshot s) {
        return new SnapshotEntry(s.name().name(), s.guid(), s.createTxg(), s.creation().getEpochSecond());
    }
}
