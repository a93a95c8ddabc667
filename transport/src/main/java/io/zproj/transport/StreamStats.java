package io.zproj.transport;

/**
 * What one stream moved.
 *
 * @param rawBytes  bytes of the {@code zfs send} stream
 * @param wireBytes bytes that crossed the network for it: compressed chunks and their frame headers
 */
public record StreamStats(long rawBytes, long wireBytes) {

    /** wire / raw, or 1 for an empty stream. */
    public double ratio() {
        return rawBytes == 0 ? 1.0 : (double) wireBytes / rawBytes;
    }
}
