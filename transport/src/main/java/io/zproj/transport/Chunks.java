package io.zproj.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.StreamingXXHash64;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Stream chunks: raw bytes to an LZ4 block (fast compressor) with the xxhash32 of the raw
 * bytes, and back, verified, with the safe decompressor. A chunk not worth compressing is
 * stored: an LZ4 block of one literal run, which costs a copy and which every LZ4 decompressor
 * reads (the receiver cannot tell, and needs not). The whole stream is summed with xxhash64.
 * All of these are thread-safe.
 */
final class Chunks {

    /** The largest raw chunk either side accepts. */
    static final int MAX_CHUNK_BYTES = 1 << 20;
    private static final int SEED = 0x5A50_0001;
    /** The bytes of 255 that a stored chunk's literal length takes, for the largest chunk. */
    private static final byte[] RUN_OF_255 = filled(MAX_CHUNK_BYTES / 255, (byte) 255);

    private static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.fastestInstance().safeDecompressor();
    private static final XXHash32 HASH32 = XXHashFactory.fastestInstance().hash32();

    private Chunks() {}

    private static byte[] filled(int n, byte b) {
        byte[] a = new byte[n];
        java.util.Arrays.fill(a, b);
        return a;
    }

    static int maxCompressedLength(int rawLength) {
        return COMPRESSOR.maxCompressedLength(rawLength);
    }

    /** The streaming hash of a whole stream. */
    static StreamingXXHash64 newStreamHash() {
        return XXHashFactory.fastestInstance().newStreamingHash64(SEED);
    }

    /** A scratch array big enough to compress a chunk of {@code chunkBytes}, reused by one sender. */
    static byte[] scratchFor(int chunkBytes) {
        return new byte[COMPRESSOR.maxCompressedLength(chunkBytes)];
    }

    /**
     * Compresses {@code raw[0, length)} into {@code scratch}, then into a direct buffer of
     * exactly the compressed size: the outbound buffer's water marks count readable bytes, so a
     * buffer of LZ4's worst-case capacity would hide most of its memory from them.
     */
    static Message.Chunk compress(byte[] raw, int length, byte[] scratch, ByteBufAllocator alloc) {
        if (length <= 0 || length > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("chunk of " + length + " bytes");
        }
        int n = COMPRESSOR.compress(raw, 0, length, scratch, 0, scratch.length);
        ByteBuf out = alloc.directBuffer(n, n);
        out.writeBytes(scratch, 0, n);
        return new Message.Chunk(length, HASH32.hash(raw, 0, length, SEED), out);
    }

    /**
     * Stores {@code raw[0, length)} as an LZ4 block without compressing it: one literal run
     * (a token, the run's length beyond 15 in bytes of 255 and a last byte below 255, then the
     * bytes). About 0.4 % larger than the raw bytes.
     */
    static Message.Chunk store(byte[] raw, int length, ByteBufAllocator alloc) {
        if (length <= 0 || length > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("chunk of " + length + " bytes");
        }
        int extra = length < 15 ? 0 : (length - 15) / 255 + 1;
        int n = 1 + extra + length;
        ByteBuf out = alloc.directBuffer(n, n);
        out.writeByte(Math.min(length, 15) << 4);
        if (length >= 15) {
            int rest = length - 15;
            out.writeBytes(RUN_OF_255, 0, rest / 255); // one copy, not a byte at a time (1,028 for 256 KiB)
            out.writeByte(rest % 255);
        }
        out.writeBytes(raw, 0, length);
        return new Message.Chunk(length, HASH32.hash(raw, 0, length, SEED), out);
    }

    /** Compresses one chunk with a scratch array of its own (for tests and one-off chunks). */
    static Message.Chunk compress(byte[] raw, int length, ByteBufAllocator alloc) {
        return compress(raw, length, scratchFor(length), alloc);
    }

    /**
     * Decompresses and verifies a chunk into {@code dest}, which must hold
     * {@link #MAX_CHUNK_BYTES}. Does not release the chunk.
     *
     * @return the raw length
     * @throws ChecksumException if the length is impossible, the block does not decompress to
     *                           exactly that length, or the checksum does not match
     */
    static int decompress(Message.Chunk chunk, byte[] dest) throws ChecksumException {
        int raw = chunk.rawLength();
        if (raw <= 0 || raw > MAX_CHUNK_BYTES || raw > dest.length) {
            throw new ChecksumException("chunk claims " + raw + " raw bytes (max " + MAX_CHUNK_BYTES + ")");
        }
        ByteBuf data = chunk.data();
        ByteBuffer src = data.nioBuffer(data.readerIndex(), data.readableBytes());
        int n;
        try {
            n = DECOMPRESSOR.decompress(src, src.position(), src.remaining(), ByteBuffer.wrap(dest), 0, raw);
        } catch (LZ4Exception e) {
            throw new ChecksumException("chunk does not decompress: " + e.getMessage());
        }
        if (n != raw) {
            throw new ChecksumException("chunk decompressed to " + n + " bytes, its header says " + raw);
        }
        int sum = HASH32.hash(dest, 0, raw, SEED);
        if (sum != chunk.checksum()) {
            throw new ChecksumException(String.format("chunk checksum mismatch: xxhash32 %08x, header says %08x",
                    sum, chunk.checksum()));
        }
        return raw;
    }
}
