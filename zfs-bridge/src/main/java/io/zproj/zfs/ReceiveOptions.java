package io.zproj.zfs;

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
 */
public record ReceiveOptions(boolean force, OptionalLong quota, boolean noAutoMount) {

    public ReceiveOptions {
        if (quota == null) {
            quota = OptionalLong.empty();
        }
        if (quota.isPresent() && quota.getAsLong() < 0) {
            throw new IllegalArgumentException("quota must be >= 0: " + quota.getAsLong());
        }
    }

    /** No force, the target's quota kept, not mounted. */
    public static ReceiveOptions defaults() {
        return new ReceiveOptions(false, OptionalLong.empty(), true);
    }

    public ReceiveOptions withForce(boolean newForce) {
        return new ReceiveOptions(newForce, quota, noAutoMount);
    }

    public ReceiveOptions withQuota(long bytes) {
        return new ReceiveOptions(force, OptionalLong.of(bytes), noAutoMount);
    }

    public ReceiveOptions withNoAutoMount(boolean value) {
        return new ReceiveOptions(force, quota, value);
    }
}
