package io.zproj.server;

import io.zproj.transport.SnapshotEntry;
import io.zproj.transport.StreamSource;
import io.zproj.zfs.SendStream;
import io.zproj.zfs.Snapshot;

/** Adapters between the bridge's streams and the transport's sources and sinks. */
final class Streams {

    private Streams() {}

    static SnapshotEntry entry(Snapshot s) {
        return new SnapshotEntry(s.name().name(), s.guid(), s.createTxg(), s.creation().getEpochSecond());
    }

    /** A running {@code zfs send} as a transport source. */
    static StreamSource source(SendStream send) {
        return StreamSource.of(send.stream(), send::finish, send::close);
    }
}
