package io.zproj.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
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

    @Test
    void compress_compressibleData_isSmaller() {
        byte[] raw = compressible(256 << 10);
        Message.Chunk c = Chunks.compress(raw, raw.length, ByteBufAllocator.DEFAULT);
        assertThat(c.data().readableBytes()).isLessThan(raw.length / 10);
        c.data().release();
    }

    @Test
    void decompress_corruptedByte_isChecksumError() {
        byte[] raw = randomBytes(64 << 10);
        Message.Chunk c = Chunks.compress(raw, raw.length, ByteBufAllocator.DEFAULT);
        try {
            int at = c.data().readerIndex() + c.data().readableBytes() / 2;
            c.data().setByte(at, c.data().getByte(at) ^ 0x01);
            assertThatThrownBy(() -> Chunks.decompress(c, dest)).isInstanceOf(ChecksumException.class);
        } finally {
            c.data().release();
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
