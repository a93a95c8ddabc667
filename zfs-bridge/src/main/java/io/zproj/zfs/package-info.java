/**
 * The ZFS bridge: every {@code zfs} and {@code zpool} invocation of zproj goes through here.
 *
 * <p>It owns the names ({@link io.zproj.zfs.ProjectId}, {@link io.zproj.zfs.PoolName},
 * {@link io.zproj.zfs.DatasetName}, {@link io.zproj.zfs.SnapshotName}) and validates them
 * before any command runs; commands are argument lists, never a shell. {@link io.zproj.zfs.Zfs}
 * is the whole API: pools, datasets, properties and quotas, mounts, snapshots and
 * {@code send}/{@code receive} streams. What the host's ZFS supports is probed once
 * ({@link io.zproj.zfs.Capabilities}), and errors arrive as subclasses of
 * {@link io.zproj.zfs.ZfsException}, parsed from what {@code zfs} prints on stderr.
 */
package io.zproj.zfs;
