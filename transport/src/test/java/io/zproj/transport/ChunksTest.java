package io.zproj.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunksTest {

    private final byte[] dest = new byte[Chunks.MAX_CHUNK_BYTES];

    private static byte[] compressible(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ("zfs send stream ".charAt(i % 16));
        }
        return b;
    }

    @Test
    void compressThenDecompress_givesTheRawBytes() throws Exception {
        for (byte[] raw : new byte[][] {compressible(256 << 10), randomBytes(1 << 20), {42}}) {
            Message.Chunk c = Chunks.compress(raw, raw.length, ByteBufAllocator.DEFAULT);
            try {
                assertThat(Chunks.decompress(c, dest)).isEqualTo(raw.length);
                assertThat(Arrays.copyOf(dest, raw.length)).isEqualTo(raw);
            } finally {
                c.data().release();
            }
        }
    }

    /** A stored chunk is a valid LZ4 block: the same decompressor reads it back, at every length edge of the run. */
    @Test
    void store_thenDecompress_givesTheRawBytes_atEveryRunLengthEdge() throws Exception {
        for (int n : new int[] {1, 14, 15, 16, 269, 270, 271, 524, 525, 4096, 256 << 10, Chunks.MAX_CHUNK_BYTES}) {
            byte[] raw = randomBytes(n);
            Message.Chunk c = Chunks.store(raw, n, ByteBufAllocator.DEFAULT);
            try {
                int extra = n < 15 ? 0 : (n - 15) / 255 + 1;
                assertThat(c.data().readableBytes()).as("stored size of %d", n).isEqualTo(1 + extra + n);
                assertThat(Chunks.decompress(c, dest)).isEqualTo(n);
                assertThat(Arrays.copyOf(dest, n)).isEqualTo(raw);
            } finally {
                c.data().release();
            }
        }
        assertThatThrownBy(() -> Chunks.store(new byte[1], 0, ByteBufAllocator.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void compression_auto_storesOnLoopback_andSkipsDataThatDoesNotCompress() throws Exception {
        java.net.InetSocketAddress loopback = new java.net.InetSocketAddress("127.0.0.1", 7501);
        java.net.InetSocketAddress remote = new java.net.InetSocketAddress(java.net.InetAddress.getByName("192.0.2.7"), 7501);
        assertThat(Compression.AUTO.forPeer(loopback).compressNext()).isFalse();
        assertThat(Compression.LZ4.forPeer(loopback).compressNext()).isTrue();
        assertThat(Compression.NONE.forPeer(remote).compressNext()).isFalse();

        Compression.Chooser auto = Compression.AUTO.forPeer(remote);
        byte[] text = compressible(64 << 10);
        for (int i = 0; i < 3; i++) { // compressible: every chunk is compressed
            assertThat(auto.compressNext()).isTrue();
            auto.compressed(text.length, Chunks.compress(text, text.length, ByteBufAllocator.DEFAULT)).data().release();
        }
        byte[] noise = randomBytes(64 << 10);
        assertThat(auto.compressNext()).isTrue();
        auto.compressed(noise.length, Chunks.compress(noise, noise.length, ByteBufAllocator.DEFAULT)).data().release();
        for (int i = 0; i < Compression.SKIP_AFTER_POOR; i++) {
            assertThat(auto.compressNext()).as("chunk %d after a poor one", i).isFalse();
        }
        assertThat(auto.compressNext()).isTrue(); // then one is tried again
    }

    @Test
    void compress_compressibleData_isSmaller() {
        byte[] raw = compressible(256 << 10);
        Message.Chunk c = Chunks.compress(raw, raw.length, ByteBufAllocator.DEFAULT);
        assertThat(c.data().readableBytes()).isLessThan(raw.length / 10);
        c.data().release();
    }

    /** A flipped bit in a compressed or a stored chunk is a checksum error. */
    @Test
    void decompress_corruptedByte_isChecksumError() {
        byte[] raw = randomBytes(64 << 10);
        for (Message.Chunk c : List.of(Chunks.compress(raw, raw.length, ByteBufAllocator.DEFAULT),
                Chunks.store(raw, raw.length, ByteBufAllocator.DEFAULT))) {
            try {
                int at = c.data().readerIndex() + c.data().readableBytes() / 2;
                c.data().setByte(at, c.data().getByte(at) ^ 0x01);
                assertThatThrownBy(() -> Chunks.decompress(c, dest)).isInstanceOf(ChecksumException.class);
            } finally {
                c.data().release();
            }
        }
    }

    @Test
    void decompress_wrongChecksum_isChecksumError() {
        byte[] raw = compressible(1000);
        Message.Chunk good = Chunks.compress(raw, raw.length, ByteBufAllocator.DEFAULT);
        Message.Chunk bad = new Message.Chunk(good.rawLength(), good.checksum() + 1, good.data());
        try {
            assertThatThrownBy(() -> Chunks.decompress(bad, dest)).isInstanceOf(ChecksumException.class)
                    .hasMessageContaining("checksum mismatch");
        } finally {
            good.data().release();
        }
    }

    @Test
    void decompress_lyingRawLength_isChecksumError() {
        byte[] raw = compressible(1000);
        Message.Chunk good = Chunks.compress(raw, raw.length, ByteBufAllocator.DEFAULT);
        try {
            assertThatThrownBy(() -> Chunks.decompress(new Message.Chunk(999, good.checksum(), good.data()), dest))
                    .isInstanceOf(ChecksumException.class);
            assertThatThrownBy(() -> Chunks.decompress(new Message.Chunk(Chunks.MAX_CHUNK_BYTES + 1,
                    good.checksum(), good.data()), dest)).isInstanceOf(ChecksumException.class)
                    .hasMessageContaining("claims");
        } finally {
            good.data().release();
        }
    }

    @Test
    void decompress_garbage_isChecksumError() {
        Message.Chunk c = new Message.Chunk(1000, 0, Unpooled.wrappedBuffer(randomBytes(300)));
        assertThatThrownBy(() -> Chunks.decompress(c, dest)).isInstanceOf(ChecksumException.class);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }
}
