package io.zproj.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, {@code 1w}, or ISO 8601 ({@code PT30S}). */
final class Durations {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

    private Durations() {}

    static Duration parse(String text) {
        Matcher m = SIMPLE.matcher(text.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a duration (like 30s, 5m, 500ms, 30d): '" + text + "'");
        }
    }
}
