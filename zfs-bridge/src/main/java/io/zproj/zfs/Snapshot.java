package io.zproj.zfs;

import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot as ZFS reports it. Two snapshots on different hosts are the same snapshot when
 * their {@link #guid() GUIDs} are equal, whatever they are called.
 *
 * @param name      the full name
 * @param guid      the snapshot's GUID, an unsigned 64-bit number (print it with
 *                  {@link Long#toUnsignedString(long)})
 * @param createTxg the transaction group that created it: orders the snapshots of one dataset
 * @param creation  creation time, to the second
 */
public record Snapshot(SnapshotName name, long guid, long createTxg, Instant creation) {

    public Snapshot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(creation, "creation");
    }

    /** The GUID as the decimal text {@code zfs get -p guid} prints. */
    public String guidText() {
        return Long.toUnsignedString(guid);
    }

    @Override
    public String toString() {
        return name.full() + " (guid " + guidText() + ")";
    }
}
