package io.zproj.zfs;

import java.io.InputStream;

/**
 * A running {@code zfs send}: read {@link #stream()} to its end, then call {@link #finish()}
 * for the exit status. Not thread-safe: one thread reads and finishes.
 *
 * <p>{@link #close()} without a successful {@code finish()} kills the send; closing is always
 * safe and idempotent.
 */
public interface SendStream extends AutoCloseable {

    /** The snapshot being sent. */
    SnapshotName snapshot();

    /** The process's stdout: the raw send stream. */
    InputStream stream();

    /** Bytes read from {@link #stream()} so far. */
    long bytes();

    /**
     * Waits for {@code zfs send} to exit after its stream was read to the end.
     *
     * @return the number of bytes the stream carried
     * @throws ZfsException typed from stderr if it failed, {@link CommandTimeoutException} if it
     *                      stalled or would not exit
     */
    long finish() throws ZfsException;

    /** Kills the send if it has not finished. */
    @Override
    void close();
}
