package io.zproj.zfs;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How to receive a stream.
 *
 * @param force       {@code zfs receive -F}: roll the target back to the stream's base first,
 *                    discarding changes and snapshots newer than the base
 * @param quota       the quota to set after the receive (a stream does not carry it); when
 *                    empty an existing target keeps the quota it had before
 * @param noAutoMount leave the received dataset unmounted and set {@code canmount=noauto}, so
 *                    that neither the receive nor a later pool import mounts it
 * @param mountAt     once received, mount the dataset at this path (and set {@code
 *                    canmount=noauto}, so that a pool import does not): for a new dataset this
 *                    costs fewer commands than a receive and a separate mount
 */
public record ReceiveOptions(boolean force, OptionalLong quota, boolean noAutoMount, Optional<Path> mountAt) {

    public ReceiveOptions {
        if (quota == null) {
            quota = OptionalLong.empty();
        }
        if (mountAt == null) {
            mountAt = Optional.empty();
        }
        mountAt.ifPresent(DatasetProperties::requireMountpoint);
        if (quota.isPresent() && quota.getAsLong() < 0) {
            throw new IllegalArgumentException("quota must be >= 0: " + quota.getAsLong());
        }
    }

    /** No force, the target's quota kept, not mounted. */
    public static ReceiveOptions defaults() {
        return new ReceiveOptions(false, OptionalLong.empty(), true, Optional.empty());
    }

    public ReceiveOptions withForce(boolean newForce) {
        return new ReceiveOptions(newForce, quota, noAutoMount, mountAt);
    }

    public ReceiveOptions withQuota(long bytes) {
        return new ReceiveOptions(force, OptionalLong.of(bytes), noAutoMount, mountAt);
    }


    /** Mounted at {@code path} once received (implies {@code canmount=noauto}). */
    public ReceiveOptions withMountAt(Path path) {
        return new ReceiveOptions(force, quota, true, Optional.of(path));
    }
}
