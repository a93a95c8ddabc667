package io.zproj.zfs;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Which zproj snapshots to keep, by age: every snapshot younger than {@code all}, the newest
 * of each hour younger than {@code hourly}, of each day younger than {@code daily}, of each week
 * younger than {@code weekly}; older ones go. The default keeps all of the last hour, hourly
 * for a day, daily for two weeks and weekly for two months. Foreign snapshots (not named
 * {@code zproj-<time>}) are never touched unless {@code foreign} says so; then they are aged by
 * their creation time like the rest.
 */
public record KeepPolicy(Duration all, Duration hourly, Duration daily, Duration weekly, boolean foreign) {

    public static final KeepPolicy DEFAULT = new KeepPolicy(Duration.ofHours(1), Duration.ofDays(1),
            Duration.ofDays(14), Duration.ofDays(61), false);

    public KeepPolicy {
        Objects.requireNonNull(all, "all");
        Objects.requireNonNull(hourly, "hourly");
        Objects.requireNonNull(daily, "daily");
        Objects.requireNonNull(weekly, "weekly");
        if (all.isNegative() || hourly.isNegative() || daily.isNegative() || weekly.isNegative()) {
            throw new IllegalArgumentException("keep durations must not be negative");
        }
    }

    /**
     * Parses {@code all=1h,hourly=1d,daily=14d,weekly=61d[,foreign=yes]} (any subset; missing
     * tiers are 0, so nothing is kept in that tier). Units: {@code m}, {@code h}, {@code d}, {@code w}.
     */
    public static KeepPolicy parse(String text) {
        Duration all = Duration.ZERO;
        Duration hourly = Duration.ZERO;
        Duration daily = Duration.ZERO;
        Duration weekly = Duration.ZERO;
        boolean foreign = false;
        for (String part : text.split(",")) {
            String[] kv = part.trim().split("=");
            if (kv.length != 2) {
                throw new IllegalArgumentException("not a keep rule (like all=1h,hourly=1d,daily=14d,weekly=61d): '"
                        + part + "'");
            }
            if (kv[0].trim().equalsIgnoreCase("foreign")) {
                foreign = switch (kv[1].trim().toLowerCase(Locale.ROOT)) {
                    case "yes", "true" -> true;
                    case "no", "false" -> false;
                    default -> throw new IllegalArgumentException("foreign must be yes or no: '" + part + "'");
                };
                continue;
            }
            Duration d = duration(kv[1].trim());
            switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
                case "all" -> all = d;
                case "hourly" -> hourly = d;
                case "daily" -> daily = d;
                case "weekly" -> weekly = d;
                default -> throw new IllegalArgumentException("unknown keep tier '" + kv[0]
                        + "' (all, hourly, daily, weekly, foreign)");
            }
        }
        return new KeepPolicy(all, hourly, daily, weekly, foreign);
    }

    private static Duration duration(String s) {
        if (s.length() < 2) {
            throw new IllegalArgumentException("not a duration: '" + s + "'");
        }
        long n;
        try {
            n = Long.parseLong(s.substring(0, s.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: '" + s + "'");
        }
        return switch (s.charAt(s.length() - 1)) {
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            case 'w' -> Duration.ofDays(7 * n);
            default -> throw new IllegalArgumentException("unknown unit in '" + s + "' (m, h, d, w)");
        };
    }
}
