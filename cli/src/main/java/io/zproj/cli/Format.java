package io.zproj.cli;

import io.zproj.transport.StreamStats;
import java.time.Duration;
import java.util.Locale;

/** Numbers for people. */
final class Format {

    private Format() {}

    static String bytes(long n) {
        return io.zproj.cache.Bytes.format(n);
    }

    /** "253.0 MiB raw, 121.3 MiB on the wire (48%), 2.1 s, 120.5 MiB/s". */
    static String stats(StreamStats s, Duration elapsed) {
        double secs = Math.max(elapsed.toNanos() / 1e9, 1e-9);
        return String.format(Locale.ROOT, "%s raw, %s on the wire (%.0f%%), %.1f s, %s/s", bytes(s.rawBytes()),
                bytes(s.wireBytes()), 100 * s.ratio(), secs, bytes((long) (s.rawBytes() / secs)));
    }
}
