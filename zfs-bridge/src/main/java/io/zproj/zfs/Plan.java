package io.zproj.zfs;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What it takes to bring a target (a local copy, a replica) to a source's newest snapshot,
 * decided by snapshot GUIDs alone: never by names or creation times, which clocks and renames
 * can make lie. The one planner of pull, push, refresh, write-back and the server's check of a
 * write-back (zrepl's replication planner is the model).
 *
 * <p>Both sides are given oldest first. Shared snapshots are those whose GUID appears on both
 * sides; the newest shared one is the base.
 */
public sealed interface Plan {

    /** A snapshot as the planner sees it: a GUID, and a name for messages. */
    record Point(String name, long guid) {
        @Override
        public String toString() {
            return "@" + name + " (guid " + Long.toUnsignedString(guid) + ")";
        }
    }

    /** The target already has the source's newest snapshot as its own newest. */
    record UpToDate(Point head) implements Plan {}

    /** The target has no snapshot: it needs the source's newest in full. */
    record Full(Point to) implements Plan {}

    /** The target's newest is a snapshot the source has; it needs {@code from → to}. */
    record Incremental(Point from, Point to) implements Plan {}

    /**
     * The source's newest is a snapshot the target has, and the target has newer ones: the
     * target is ahead, nothing is to be sent this way (the other way would be incremental).
     */
    record Behind(Point sourceHead, Point targetHead) implements Plan {}

    /**
     * Both have moved on from their newest shared snapshot, or they share none: no stream can
     * bring the target to the source without destroying what only the target has.
     */
    record Diverged(Point sourceHead, Point targetHead, Optional<Point> base) implements Plan {
        /** Names both heads and the base, e.g. for an error. */
        public String describe(String source, String target) {
            return source + " is at " + sourceHead + " and " + target + " at " + targetHead + ", "
                    + base.map(b -> "both moved on from " + b).orElse("with no snapshot in common");
        }
    }

    /**
     * The plan that brings {@code target} to {@code source}'s newest.
     *
     * @param source snapshots of the side that would send, oldest first; at least one
     * @param target snapshots of the side that would receive, oldest first; empty if it has none
     * @throws IllegalArgumentException if the source has no snapshot (there is nothing to send)
     */
    static Plan between(List<Point> source, List<Point> target) {
        if (source.isEmpty()) {
            throw new IllegalArgumentException("the source has no snapshot: there is nothing to send");
        }
        if (target.isEmpty()) {
            return new Full(source.get(source.size() - 1));
        }
        Point targetHead = target.get(target.size() - 1);
        Point sourceHead = source.get(source.size() - 1);
        if (sourceHead.guid() == targetHead.guid()) {
            return new UpToDate(sourceHead);
        }
        Set<Long> sourceGuids = new HashSet<>();
        source.forEach(p -> sourceGuids.add(p.guid()));
        if (sourceGuids.contains(targetHead.guid())) {
            return new Incremental(targetHead, sourceHead);
        }
        Optional<Point> base = newestShared(target, sourceGuids);
        if (base.isPresent() && base.get().guid() == sourceHead.guid()) {
            return new Behind(sourceHead, targetHead);
        }
        return new Diverged(sourceHead, targetHead, base);
    }

    private static Optional<Point> newestShared(List<Point> target, Set<Long> sourceGuids) {
        for (int i = target.size() - 1; i >= 0; i--) {
            if (sourceGuids.contains(target.get(i).guid())) {
                return Optional.of(target.get(i));
            }
        }
        return Optional.empty();
    }

    /** The snapshots of a list as points, oldest first as given. */
    static List<Point> points(List<Snapshot> snapshots) {
        return snapshots.stream().map(s -> new Point(s.name().name(), s.guid())).toList();
    }
}
