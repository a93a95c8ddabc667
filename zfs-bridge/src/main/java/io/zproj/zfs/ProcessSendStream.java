package io.zproj.zfs;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** {@link SendStream} over a running {@code zfs send}. */
final class ProcessSendStream implements SendStream {

    private final SnapshotName snapshot;
    private final StreamProcess process;
    private final InputStream stream;
    private boolean finished;
    private boolean closed;

    ProcessSendStream(SnapshotName snapshot, StreamProcess process) {
        this.snapshot = snapshot;
        this.process = process;
        this.stream = new FilterInputStream(process.process().getInputStream()) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    process.progressed(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    process.progressed(n);
                }
                return n;
            }
        };
    }

    @Override
    public SnapshotName snapshot() {
        return snapshot;
    }

    @Override
    public InputStream stream() {
        return stream;
    }

    @Override
    public long bytes() {
        return process.bytes();
    }

    @Override
    public long finish() throws ZfsException {
        if (closed) {
            throw new IllegalStateException("send of " + snapshot + " was closed");
        }
        int exit = process.awaitExit();
        closeQuietly();
        if (exit != 0) {
            throw ZfsErrors.classify(process.command(), exit, process.stderr());
        }
        finished = true;
        return process.bytes();
    }

    @Override
    public void close() {
        if (!finished) {
            process.kill();
        }
        closeQuietly();
    }

    private void closeQuietly() {
        closed = true;
        try {
            stream.close();
        } catch (IOException e) {
            // nothing left to read
        }
    }
}
