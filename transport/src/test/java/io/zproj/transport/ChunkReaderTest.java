package io.zproj.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import net.jpountz.xxhash.StreamingXXHash64;
import org.junit.jupiter.api.Test;

/** The receive queue's bounds: each stream's own share, and the spare its transport's streams share. */
class ChunkReaderTest {

    private static final int CHUNK = 64 << 10;
    private final TransportConfig config = TransportConfig.defaults()
            .withBuffers(CHUNK, 64 << 10, 256 << 10, 2 * Chunks.maxCompressedLength(CHUNK));
    private final byte[] raw = new byte[CHUNK];

    ChunkReaderTest() {
        new Random(7).nextBytes(raw);
    }

    private Message.Chunk chunk() {
        return Chunks.store(raw, raw.length, ByteBufAllocator.DEFAULT);
    }

    /** What one queued chunk counts for: its stored bytes and the fixed 64 of a frame. */
    private long cost() {
        Message.Chunk c = chunk();
        try {
            return 64 + c.data().readableBytes();
        } finally {
            c.data().release();
        }
    }

    @Test
    void aStream_readsOnIntoTheSpare_stopsWhenItIsTaken_andGivesItAllBack() throws Exception {
        long cost = cost();
        long high = config.receiveQueueBytes();
        ReceiveSpare spare = new ReceiveSpare(3 * cost);
        EmbeddedChannel ch = new EmbeddedChannel();
        ChunkReader reader = new ChunkReader(ch, config, spare);
        int offered = 0;
        while (ch.config().isAutoRead()) {
            reader.offer(chunk());
            offered++;
            long queued = offered * cost;
            assertThat(reader.borrowed()).as("after %d chunks", offered)
                    .isEqualTo(Math.min(Math.max(0, queued - high), spare.capacity()));
            assertThat(offered).as("the stream stops reading at its share plus the spare").isLessThan(100);
        }
        assertThat(offered * cost).as("it stopped only once its share and the whole spare were full")
                .isGreaterThan(high + spare.capacity()).isLessThanOrEqualTo(high + spare.capacity() + cost);
        assertThat(spare.free()).isZero();

        // another stream of the same transport still has its own share, and nothing beyond it
        EmbeddedChannel ch2 = new EmbeddedChannel();
        ChunkReader other = new ChunkReader(ch2, config, spare);
        int second = 0;
        while (ch2.config().isAutoRead()) {
            other.offer(chunk());
            second++;
        }
        assertThat(second * cost).isGreaterThan(high).isLessThanOrEqualTo(high + cost);
        assertThat(other.borrowed()).isZero();

        assertThat(drain(reader, offered)).hasSize(offered * CHUNK);
        assertThat(reader.borrowed()).isZero();
        assertThat(spare.free()).as("all of the spare is back once the stream is drained").isEqualTo(spare.capacity());
        assertThat(ch.config().isAutoRead()).isTrue();
        assertThat(drain(other, second)).hasSize(second * CHUNK);
        assertThat(spare.free()).isEqualTo(spare.capacity());
    }

    @Test
    void withoutASpare_aStreamStopsReadingAtItsOwnShare() throws Exception {
        long cost = cost();
        ReceiveSpare none = new ReceiveSpare(0);
        EmbeddedChannel ch = new EmbeddedChannel();
        ChunkReader reader = new ChunkReader(ch, config, none);
        int offered = 0;
        while (ch.config().isAutoRead()) {
            reader.offer(chunk());
            offered++;
        }
        assertThat(offered * cost).isGreaterThan(config.receiveQueueBytes())
                .isLessThanOrEqualTo(config.receiveQueueBytes() + cost);
        assertThat(drain(reader, offered)).hasSize(offered * CHUNK);
    }

    /** A stream that fails gives back what it held of the spare too. */
    @Test
    void aFailedStream_givesTheSpareBack() {
        ReceiveSpare spare = new ReceiveSpare(4 * cost());
        EmbeddedChannel ch = new EmbeddedChannel();
        ChunkReader reader = new ChunkReader(ch, config, spare);
        for (int i = 0; i < 6; i++) {
            reader.offer(chunk());
        }
        assertThat(spare.free()).isLessThan(spare.capacity());
        reader.offer(new Message.Error(ErrorCode.INTERNAL, "the sender's zfs send died"));
        CollectingSink sink = new CollectingSink();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> reader.drain(sink))
                .isInstanceOf(RemoteException.class);
        assertThat(sink.aborted).isTrue();
        assertThat(spare.free()).isEqualTo(spare.capacity());
        assertThat(reader.borrowed()).isZero();
    }

    /** The default spare is a quarter of the direct memory the JVM allows (64 MiB in these tests), at most 64 MiB. */
    @Test
    void theDefaultSpare_fitsTheJvmsDirectMemory() {
        long direct = io.netty.util.internal.PlatformDependent.maxDirectMemory();
        assertThat(TransportConfig.defaults().receiveSpareBytes()).isEqualTo(Math.min(64L << 20, direct / 4));
        assertThat(direct).as("surefire's -XX:MaxDirectMemorySize").isEqualTo(64L << 20);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TransportConfig.defaults().withReceiveSpare(-1))
                .hasMessageContaining("receiveSpareBytes must be between 0 and");
    }

    /** Ends the stream of {@code chunks} chunks already offered and drains it; returns what the sink got. */
    private byte[] drain(ChunkReader reader, int chunks) throws Exception {
        StreamingXXHash64 hash = Chunks.newStreamHash();
        for (int i = 0; i < chunks; i++) {
            hash.update(raw, 0, raw.length);
        }
        reader.offer(new Message.StreamEnd((long) chunks * CHUNK, hash.getValue()));
        CollectingSink sink = new CollectingSink();
        reader.drain(sink);
        return sink.bytes.toByteArray();
    }

    private static final class CollectingSink implements StreamSink<Long> {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean aborted;

        @Override
        public void write(byte[] buf, int off, int len) {
            bytes.write(buf, off, len);
        }

        @Override
        public Long complete(long totalBytes) {
            return totalBytes;
        }

        @Override
        public void abort(String reason) {
            aborted = true;
        }
    }
}
