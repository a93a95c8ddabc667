package io.zproj.zfs;

/**
 * A pool as {@code zpool list} reports it. Sizes are exact where the host has
 * {@code zpool list -p} ({@link Capabilities#zpoolListParsable()}), otherwise rounded as
 * zpool prints them (e.g. {@code 249M}); {@link Zfs#availableBytes} is always exact.
 *
 * @param health    e.g. {@code ONLINE}, {@code DEGRADED}, {@code FAULTED}, {@code UNAVAIL}
 */
public record PoolInfo(PoolName name, String health, long sizeBytes, long allocatedBytes, long freeBytes) {}
