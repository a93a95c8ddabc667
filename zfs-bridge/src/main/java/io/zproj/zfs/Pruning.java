package io.zproj.zfs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which snapshots a keep policy removes: a pure function of the snapshot list, the time and what
 * must stay. Never the newest snapshot, never a protected one (the newest a replica and this
 * side have in common), and never a foreign snapshot (not named {@code zproj-<time>}) unless
 * asked.
 */
public final class Pruning {

    private Pruning() {}

    /**
     * @param snapshots      a dataset's snapshots, oldest first
     * @param policy         what to keep
     * @param now            the time ages are measured from
     * @param protectedGuids snapshots that must stay, whatever their age
     * @param foreignToo     whether foreign snapshots may be removed (by their creation time)
     * @return the snapshots to destroy, oldest first
     */
    public static List<Snapshot> toDestroy(List<Snapshot> snapshots, KeepPolicy policy, Instant now,
            Set<Long> protectedGuids, boolean foreignToo) {
        if (snapshots.isEmpty()) {
            return List.of();
        }
        long newestGuid = snapshots.get(snapshots.size() - 1).guid();
        Set<String> keptBuckets = new HashSet<>();
        List<Snapshot> destroy = new ArrayList<>();
        for (int i = snapshots.size() - 1; i >= 0; i--) { // newest first: the newest of a bucket is kept
            Snapshot s = snapshots.get(i);
            Optional<Instant> zprojTime = Snapshots.zprojTime(s.name().name());
            if (zprojTime.isEmpty() && !foreignToo) {
                continue;
            }
            if (s.guid() == newestGuid || protectedGuids.contains(s.guid())) {
                continue;
            }
            Instant t = zprojTime.orElse(s.creation());
            Duration age = Duration.between(t, now);
            if (age.compareTo(policy.all()) <= 0) {
                continue;
            }
            String bucket = bucket(t, age, policy);
            if (bucket != null && keptBuckets.add(bucket)) {
                continue;
            }
            destroy.add(s);
        }
        destroy.sort((a, b) -> Long.compare(a.createTxg(), b.createTxg()));
        return destroy;
    }

    /** The tier and slot a snapshot of time {@code t} falls in, or null if it is older than every tier. */
    private static String bucket(Instant t, Duration age, KeepPolicy policy) {
        long sec = t.getEpochSecond();
        if (age.compareTo(policy.hourly()) <= 0) {
            return "h" + Math.floorDiv(sec, 3600);
        }
        if (age.compareTo(policy.daily()) <= 0) {
            return "d" + Math.floorDiv(sec, 86400);
        }
        if (age.compareTo(policy.weekly()) <= 0) {
            // weeks starting on Monday (1970-01-01 was a Thursday)
            return "w" + Math.floorDiv(sec + 3 * 86400, 7 * 86400);
        }
        return null;
    }
}
