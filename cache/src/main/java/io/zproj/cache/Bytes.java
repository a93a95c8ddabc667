package io.zproj.cache;

import java.util.Locale;

/** Byte counts for people: {@code 512 B}, {@code 5.1 MiB}, {@code 2.0 GiB} (powers of 1024). */
public final class Bytes {

    private Bytes() {}

    public static String format(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
