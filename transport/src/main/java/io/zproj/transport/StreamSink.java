package io.zproj.transport;

import java.io.IOException;

/**
 * Where a received stream's verified raw bytes go, e.g. a running {@code zfs receive}. Used by
 * one thread at a time; exactly one of {@link #complete} or {@link #abort} ends it.
 *
 * @param <R> what a completed stream produces (e.g. the received snapshot)
 */
public interface StreamSink<R> {

    /** Takes the next verified bytes. */
    void write(byte[] buf, int off, int len) throws IOException;

    /** Every chunk and the whole stream's length and checksum were verified. */
    R complete(long totalBytes) throws IOException;

    /** The stream failed; undo whatever was partly done. Never throws. */
    void abort(String reason);
}
