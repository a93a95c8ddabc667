package io.zproj.zfs;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the bridge needs from outside, with defaults and bounds in one place: where the
 * binaries are, how long a command may run, how long a stream may stall, how much output is
 * kept, and the clock that names snapshots.
 *
 * @param zfsBinary         the {@code zfs} command (default {@code /usr/sbin/zfs})
 * @param zpoolBinary       the {@code zpool} command (default {@code /usr/sbin/zpool})
 * @param commandTimeout    the longest a non-streaming command may run (default 2 min, 1 s to 1 h);
 *                          also how long a stream's process may take to exit once its data is done
 * @param streamIdleTimeout the longest a send or receive may move no byte before it is killed
 *                          (default 10 min, 1 s to 24 h)
 * @param maxOutputBytes    the most stdout a non-streaming command may print (default 64 MiB)
 * @param maxStderrBytes    the most stderr kept per command (default 64 KiB)
 * @param clock             names snapshots (default UTC system clock)
 */
public record ZfsConfig(
        Path zfsBinary,
        Path zpoolBinary,
        Duration commandTimeout,
        Duration streamIdleTimeout,
        int maxOutputBytes,
        int maxStderrBytes,
        Clock clock) {

    public static final Path DEFAULT_ZFS = Path.of("/usr/sbin/zfs");
    public static final Path DEFAULT_ZPOOL = Path.of("/usr/sbin/zpool");
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(2);
    public static final Duration DEFAULT_STREAM_IDLE_TIMEOUT = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 64 << 20;
    public static final int DEFAULT_MAX_STDERR_BYTES = 64 << 10;

    public ZfsConfig {
        Objects.requireNonNull(zfsBinary, "zfsBinary");
        Objects.requireNonNull(zpoolBinary, "zpoolBinary");
        Objects.requireNonNull(clock, "clock");
        requireWithin("commandTimeout", commandTimeout, Duration.ofSeconds(1), Duration.ofHours(1));
        requireWithin("streamIdleTimeout", streamIdleTimeout, Duration.ofSeconds(1), Duration.ofHours(24));
        requireWithin("maxOutputBytes", maxOutputBytes, 1 << 10, 1 << 30);
        requireWithin("maxStderrBytes", maxStderrBytes, 1 << 10, 16 << 20);
    }

    /** The defaults: binaries in {@code /usr/sbin}, system UTC clock. */
    public static ZfsConfig defaults() {
        return new ZfsConfig(DEFAULT_ZFS, DEFAULT_ZPOOL, DEFAULT_COMMAND_TIMEOUT, DEFAULT_STREAM_IDLE_TIMEOUT,
                DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_MAX_STDERR_BYTES, Clock.systemUTC());
    }

    public ZfsConfig withBinaries(Path zfs, Path zpool) {
        return new ZfsConfig(zfs, zpool, commandTimeout, streamIdleTimeout, maxOutputBytes, maxStderrBytes, clock);
    }

    public ZfsConfig withCommandTimeout(Duration timeout) {
        return new ZfsConfig(zfsBinary, zpoolBinary, timeout, streamIdleTimeout, maxOutputBytes, maxStderrBytes, clock);
    }

    public ZfsConfig withStreamIdleTimeout(Duration timeout) {
        return new ZfsConfig(zfsBinary, zpoolBinary, commandTimeout, timeout, maxOutputBytes, maxStderrBytes, clock);
    }

    public ZfsConfig withClock(Clock newClock) {
        return new ZfsConfig(zfsBinary, zpoolBinary, commandTimeout, streamIdleTimeout, maxOutputBytes, maxStderrBytes,
                newClock);
    }

    private static void requireWithin(String name, Duration value, Duration min, Duration max) {
        Objects.requireNonNull(value, name);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    private static void requireWithin(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
        }
    }
}
