package io.zproj.zfs;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Pure functions over snapshot names and lists: zproj's naming, newest-common search. */
public final class Snapshots {

    /** The prefix of every snapshot zproj takes. */
    public static final String PREFIX = "zproj-";

    private static final DateTimeFormatter BASIC =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** To the millisecond: two write-backs within one second need two names. */
    private static final DateTimeFormatter BASIC_MILLIS =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Snapshots() {}

    /**
     * The zproj snapshot name for an instant: {@code zproj-20261124T101500.123Z} (UTC, ISO 8601
     * basic, milliseconds). Names of earlier versions, to the second ({@code zproj-20261124T101500Z}),
     * are zproj's too.
     */
    public static String zprojName(Instant instant) {
        return PREFIX + BASIC_MILLIS.format(instant);
    }

    /** The zproj snapshot name for now. */
    public static String zprojName(Clock clock) {
        return zprojName(clock.instant());
    }

    /**
     * The name a conflicting copy of a project is set aside under, {@code <uuid>-conflict-<UTC time>}:
     * not a project id, so it is kept but no longer served.
     */
    public static String setAsideName(ProjectId id, Clock clock) {
        return id + "-conflict-" + BASIC.format(clock.instant());
    }

    /** Whether a short snapshot name is one of zproj's ({@code zproj-<UTC time>}), not a foreign one. */
    public static boolean isZprojName(String shortName) {
        return zprojTime(shortName).isPresent();
    }

    /** The time in a zproj snapshot name, empty for a foreign name. */
    public static Optional<Instant> zprojTime(String shortName) {
        if (shortName == null || !shortName.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String time = shortName.substring(PREFIX.length());
        DateTimeFormatter format = time.length() == 20 ? BASIC_MILLIS : time.length() == 16 ? BASIC : null;
        if (format == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.from(format.parse(time)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * The newest snapshot of {@code ours} whose GUID also appears in {@code theirs}: the base
     * from which an incremental stream can bring {@code theirs} up to {@code ours}.
     *
     * @param ours   snapshots sorted oldest first, as {@link Zfs#listSnapshots} returns them
     * @param theirs the other side's snapshots, in any order
     * @return the newest common snapshot as {@code ours} names it, or empty if none is shared
     */
    public static Optional<Snapshot> newestCommon(List<Snapshot> ours, List<Snapshot> theirs) {
        Set<Long> guids = new HashSet<>();
        for (Snapshot s : theirs) {
            guids.add(s.guid());
        }
        for (int i = ours.size() - 1; i >= 0; i--) {
            if (guids.contains(ours.get(i).guid())) {
                return Optional.of(ours.get(i));
            }
        }
        return Optional.empty();
    }

    /** The newest snapshot of a list sorted oldest first, or empty. */
    public static Optional<Snapshot> newest(List<Snapshot> sorted) {
        return sorted.isEmpty() ? Optional.empty() : Optional.of(sorted.get(sorted.size() - 1));
    }

    /** The snapshot with this GUID, or empty. */
    public static Optional<Snapshot> byGuid(List<Snapshot> snapshots, long guid) {
        for (Snapshot s : snapshots) {
            if (s.guid() == guid) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
