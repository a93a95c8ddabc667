package io.zproj.transport;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Whether a sender compresses its stream chunks with LZ4 or stores them (an LZ4 block of
 * literals: the receiver reads both alike, so this is the sender's choice alone).
 * <ul>
 * <li>{@link #AUTO} (the default): stored to a peer on the loopback interface, where both ends
 *     share one host's CPUs and there is no network to save; otherwise LZ4, except that after a
 *     chunk LZ4 could not shrink by an eighth the next {@value #SKIP_AFTER_POOR} chunks are stored
 *     (incompressible data, e.g. media or already compressed files, costs no compression time),
 *     then one is tried again.</li>
 * <li>{@link #LZ4}: every chunk compressed.</li>
 * <li>{@link #NONE}: every chunk stored.</li>
 * </ul>
 */
public enum Compression {
    AUTO, LZ4, NONE;

    /** Chunks stored after one that compressed poorly, under {@link #AUTO}. */
    static final int SKIP_AFTER_POOR = 15;

    /** The policy for one stream to {@code peer}. */
    Chooser forPeer(SocketAddress peer) {
        return switch (this) {
            case LZ4 -> new Chooser(false);
            case NONE -> new Chooser(true);
            case AUTO -> new Chooser(peer instanceof InetSocketAddress a && a.getAddress() != null
                    && a.getAddress().isLoopbackAddress()) {
                private int skip;

                @Override
                boolean compressNext() {
                    if (skip > 0) {
                        skip--;
                        return false;
                    }
                    return super.compressNext();
                }

                @Override
                Message.Chunk compressed(int rawLength, Message.Chunk chunk) {
                    if (chunk.data().readableBytes() > rawLength - rawLength / 8) {
                        skip = SKIP_AFTER_POOR;
                    }
                    return chunk;
                }
            };
        };
    }

    /** One stream's choices, chunk by chunk. Not thread-safe. */
    static class Chooser {
        private final boolean store;

        Chooser(boolean store) {
            this.store = store;
        }

        /** Whether the next chunk is compressed (otherwise stored). */
        boolean compressNext() {
            return !store;
        }

        /** Told of each compressed chunk; returns it. */
        Message.Chunk compressed(int rawLength, Message.Chunk chunk) {
            return chunk;
        }
    }
}
