package io.zproj.server;

import io.zproj.transport.SnapshotEntry;
import io.zproj.transport.StreamSource;
import io.zproj.zfs.SendStream;
import io.zproj.zfs.Snapshot;
import java.io.IOException;

/** Adapters between the bridge's streams and the transport's sources and sinks. */
final class Streams {

    private Streams() {}

    static SnapshotEntry entry(Snapshot s) {
        return new SnapshotEntry(s.name().name(), s.guid(), s.createTxg(), s.creation().getEpochSecond());
    }

    /** A running {@code zfs send} as a transport source. */
    static StreamSource source(SendStream send) {
        return new StreamSource() {
            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                return send.stream().read(buf, off, len);
            }

            @Override
            public void finish() throws IOException {
                send.finish();
            }

            @Override
            public void close() {
                send.close();
            }
        };
    }
}
