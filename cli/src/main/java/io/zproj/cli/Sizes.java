package io.zproj.cli;

import java.util.Locale;

/** Sizes as people write them: {@code 1048576}, {@code 512M}, {@code 50G}, {@code 2T} (powers of 1024). */
final class Sizes {

    private Sizes() {}

    static long parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        try {
            if (t.matches("\\d+")) {
                return Long.parseLong(t);
            }
            if (t.matches("\\d+[KMGT]I?B?")) {
                long n = Long.parseLong(t.replaceAll("\\D.*", ""));
                int power = "KMGT".indexOf(t.charAt(t.replaceAll("\\D.*", "").length())) + 1;
                return Math.multiplyExact(n, 1L << (10 * power));
            }
        } catch (ArithmeticException e) {
            // falls through to the error
        }
        throw new IllegalArgumentException("not a size (like 50G, 512M, 1048576): '" + text + "'");
    }
}
