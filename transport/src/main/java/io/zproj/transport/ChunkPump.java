package io.zproj.transport;

import io.netty.channel.Channel;
import java.io.IOException;
import net.jpountz.xxhash.StreamingXXHash64;

/**
 * Sends a stream: reads the source on the calling thread, one chunk at a time, and writes a
 * chunk only when the channel is writable, so a slow receiver slows the reading of
 * {@code zfs send} instead of filling memory. Each chunk is compressed or stored as the
 * {@link Compression} policy says. Ends with the stream's length and xxhash64, or with an error
 * frame if the source failed.
 */
final class ChunkPump {

    /** Frame header plus the chunk's raw length and checksum. */
    private static final int CHUNK_OVERHEAD = Protocol.HEADER_LENGTH + 8;

    private ChunkPump() {}

    static StreamStats send(Channel ch, StreamSource source, int chunkBytes, Compression compression,
            Writability writability) throws IOException {
        Compression.Chooser chooser = compression.forPeer(ch.remoteAddress());
        byte[] buf = new byte[chunkBytes];
        byte[] scratch = Chunks.scratchFor(chunkBytes);
        StreamingXXHash64 hash = Chunks.newStreamHash();
        long total = 0;
        long wire = 0;
        boolean eof = false;
        try {
            while (!eof) {
                int n = 0;
                while (n < buf.length) {
                    int r = source.read(buf, n, buf.length - n);
                    if (r < 0) {
                        eof = true;
                        break;
                    }
                    n += r;
                }
                if (n > 0) {
                    writability.await(ch);
                    Message.Chunk chunk = chooser.compressNext() ? chooser.compressed(n,
                            Chunks.compress(buf, n, scratch, ch.alloc())) : Chunks.store(buf, n, ch.alloc());
                    wire += CHUNK_OVERHEAD + chunk.data().readableBytes();
                    hash.update(buf, 0, n);
                    total += n;
                    ch.writeAndFlush(FrameEncoder.chunkFrame(chunk, ch.alloc()));
                }
            }
            source.finish();
        } catch (TransportException e) {
            throw e; // the peer failed or went away: it needs no error frame from us
        } catch (IOException | RuntimeException e) {
            ch.writeAndFlush(new Message.Error(ErrorCode.INTERNAL, "the stream's source failed after " + total
                    + " bytes: " + e.getMessage()));
            throw e;
        }
        writability.await(ch);
        ch.writeAndFlush(new Message.StreamEnd(total, hash.getValue()));
        TransportMeters.streamed(true, wire + Protocol.HEADER_LENGTH + 16);
        return new StreamStats(total, wire + Protocol.HEADER_LENGTH + 16);
    }
}
