package io.zproj.transport;

import java.io.IOException;

/**
 * Where a sent stream's raw bytes come from, e.g. a running {@code zfs send}. Used by one
 * thread at a time.
 */
public interface StreamSource extends AutoCloseable {

    /** Reads up to {@code len} bytes; -1 at the end. */
    int read(byte[] buf, int off, int len) throws IOException;

    /**
     * Called after {@link #read} returned -1: confirms the producer succeeded (e.g. {@code zfs
     * send} exited 0). If it throws, the peer gets an error instead of the stream's end.
     */
    void finish() throws IOException;

    /** Stops the producer if it has not finished; never throws. */
    @Override
    void close();

    /** Confirms that a producer succeeded. */
    @FunctionalInterface
    interface Finisher {
        void finish() throws IOException;
    }

    /** A source reading {@code in}, confirmed by {@code finisher}, stopped by {@code closer}. */
    static StreamSource of(java.io.InputStream in, Finisher finisher, Runnable closer) {
        return new StreamSource() {
            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                return in.read(buf, off, len);
            }

            @Override
            public void finish() throws IOException {
                finisher.finish();
            }

            @Override
            public void close() {
                closer.run();
            }
        };
    }
}
