package io.zproj.server;

import io.zproj.transport.SnapshotEntry;
import io.zproj.zfs.ProjectId;
import java.util.Objects;
import java.util.Optional;

/**
 * What the server's catalog knows of one project. The first three fields mirror ZFS (the
 * truth); the write-back fields exist only here.
 *
 * @param newest           the newest snapshot, empty if the project has none
 * @param usedBytes        bytes used, snapshots included
 * @param quotaBytes       its quota, 0 if none
 * @param lastWriteBackMillis when a client last pushed to it (epoch ms), 0 if never
 * @param writer           who pushed last (client name and address), empty if never
 */
record CatalogEntry(ProjectId id, Optional<SnapshotEntry> newest, long usedBytes, long quotaBytes,
        long lastWriteBackMillis, String writer) {

    CatalogEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(newest, "newest");
        Objects.requireNonNull(writer, "writer");
    }

    /** The same entry with ZFS's view of it; the write-back fields are kept. */
    CatalogEntry withZfs(Optional<SnapshotEntry> newNewest, long used, long quota) {
        return new CatalogEntry(id, newNewest, used, quota, lastWriteBackMillis, writer);
    }

    /** The same entry after a write-back. */
    CatalogEntry withWriteBack(SnapshotEntry snapshot, long atMillis, String by) {
        return new CatalogEntry(id, Optional.of(snapshot), usedBytes, quotaBytes, atMillis, by);
    }

    /** Whether ZFS's part equals another entry's. */
    boolean sameZfsState(CatalogEntry other) {
        return newest.equals(other.newest) && usedBytes == other.usedBytes && quotaBytes == other.quotaBytes;
    }
}
