package io.zproj.server;

import io.zproj.transport.SnapshotEntry;
import io.zproj.zfs.Plan;
import io.zproj.zfs.Snapshot;

/** Snapshots between the bridge, the transport and the planner. */
final class Streams {

    private Streams() {}

    /** A snapshot as the planner sees it. */
    static Plan.Point point(SnapshotEntry e) {
        return new Plan.Point(e.name(), e.guid());
    }

    static SnapshotEntry entry(Snapshot s) {
        return new SnapshotEntry(s.name().name(), s.guid(), s.createTxg(), s.creation().getEpochSecond());
    }
}
