package io.zproj.zfs;

import java.io.OutputStream;

/**
 * A running {@code zfs receive}: write the stream into {@link #stream()}, then call
 * {@link #finish()}, or {@link #abort()} to give up. Not thread-safe: one thread writes and
 * finishes.
 *
 * <p>Whatever happens, a receive that does not finish leaves no partial dataset: a new target
 * does not exist afterwards, an existing one is at the snapshot it had before. The error says
 * which. {@link #close()} without a successful {@code finish()} aborts.
 */
public interface ReceiveStream extends AutoCloseable {

    /** The dataset being received into. */
    DatasetName target();

    /**
     * The process's stdin. Once {@code zfs receive} has given up, a write fails with its typed
     * {@link ZfsException} (the target already cleaned up); the receive is then over.
     */
    OutputStream stream();

    /** Bytes written to {@link #stream()} so far. */
    long bytes();

    /**
     * Closes the stream, waits for {@code zfs receive} to exit and applies the
     * {@link ReceiveOptions} (quota, {@code canmount}).
     *
     * @return the newest snapshot of the target, the one just received
     * @throws ZfsException typed from stderr if the receive failed (an {@link InvalidStreamException}
     *                      for a stream cut short or corrupt), after the target was checked and,
     *                      if the receive created it, removed
     */
    Snapshot finish() throws ZfsException;

    /**
     * What the target holds after a successful {@link #finish()} (its space and snapshots), read
     * by the same command that finished it.
     *
     * @throws IllegalStateException before a successful {@code finish()}
     */
    DatasetState received();

    /**
     * Kills the receive and makes sure nothing partial is left. Calling it after the receive
     * already failed is harmless.
     *
     * @return what the target looks like now, for a message (e.g. "tank/p does not exist")
     * @throws ZfsException if the partial state could not be cleaned up
     */
    String abort() throws ZfsException;

    /** Aborts if the receive has not finished; failures are logged. */
    @Override
    void close();
}
