package io.zproj.cache;

import java.time.Duration;
import java.time.Instant;

/** Times for people, as ages: {@code just now}, {@code 45 s ago}, {@code 12 min ago}, {@code 3 hours ago}, {@code 2 days ago}. */
public final class Ages {

    private Ages() {}

    /** How long before {@code now} {@code then} was; a time ahead of {@code now} (another host's clock) says so. */
    public static String format(Instant then, Instant now) {
        Duration d = Duration.between(then, now);
        if (d.isNegative()) {
            return "in " + span(d.negated()) + " (a clock ahead)";
        }
        return d.getSeconds() < 5 ? "just now" : span(d) + " ago";
    }

    private static String span(Duration d) {
        long s = d.getSeconds();
        if (s < 90) {
            return s + " s";
        }
        if (s < 3570) {
            return (s + 30) / 60 + " min";
        }
        if (s < 36 * 3600) {
            long h = (s + 1800) / 3600;
            return h + (h == 1 ? " hour" : " hours");
        }
        if (s < 14 * 86400) {
            long days = (s + 43200) / 86400;
            return days + (days == 1 ? " day" : " days");
        }
        long weeks = (s + 3 * 86400) / (7 * 86400);
        return weeks + " weeks";
    }
}
