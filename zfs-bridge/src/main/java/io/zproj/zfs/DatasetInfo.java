package io.zproj.zfs;

import java.util.OptionalLong;

/**
 * A dataset's space, exact to the byte.
 *
 * @param used       bytes used by the dataset, its snapshots and children
 * @param referenced bytes the dataset's live data references
 * @param quota      its quota, empty if none
 * @param available  bytes it can still take (its quota's room, or the pool's, whichever is less)
 */
public record DatasetInfo(DatasetName name, long used, long referenced, OptionalLong quota, long available) {}
