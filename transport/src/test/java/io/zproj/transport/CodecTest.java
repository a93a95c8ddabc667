package io.zproj.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Frames on {@link EmbeddedChannel}: round trips, random splits, corruption, lying lengths. */
class CodecTest {

    private static final UUID P = UUID.fromString("0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69");
    private static final SnapshotEntry A = new SnapshotEntry("zproj-20261124T101500Z", -2L, 12, 1795497913);
    private static final SnapshotEntry B = new SnapshotEntry("2013-12-18T18:23:22", 77, 13, 1795497999);
    private static final int MAX_CONTROL = 1 << 20;

    /** One of every control message. */
    static List<Message> controlMessages() {
        return List.of(
                new Message.Hello("client-1"),
                new Message.HelloOk("server ü"),
                new Message.Error(ErrorCode.DIVERGED, "server is at @b, you said @a"),
                new Message.Ping(123456789L),
                new Message.Pong(123456789L, new Load(3, 1L << 40)),
                new Message.ListProjects(),
                new Message.ProjectList(List.of(new ProjectEntry(P, Optional.of(A), 1000, 0),
                        new ProjectEntry(UUID.randomUUID(), Optional.empty(), 0, 5L << 30))),
                new Message.Info(P),
                new Message.InfoReply(new ProjectInfo(P, 10, 7, 20, List.of(A, B))),
                new Message.Send(P, OptionalLong.of(-2L)),
                new Message.Send(P, OptionalLong.empty()),
                new Message.StreamStart(new StreamHeader(P, B, Optional.of(A))),
                new Message.StreamStart(new StreamHeader(P, A, Optional.empty())),
                new Message.UpToDate(P, A),
                new Message.Ready(),
                new Message.StreamEnd(1L << 33, 0xDEADBEEFCAFEL),
                new Message.Receive(new StreamHeader(P, B, Optional.of(A))),
                new Message.Receive(new StreamHeader(P, B, Optional.of(A)), 1234567),
                new Message.Acked(new Ack(P, B)),
                new Message.Create(P, 1L << 30),
                new Message.SetAside(P, -5L),
                new Message.Aside(P + "-conflict-20261124T101500Z"));
    }

    /** Encodes messages through a real encoder pipeline into one buffer of wire bytes. */
    static byte[] wire(List<Message> messages) {
        EmbeddedChannel out = new EmbeddedChannel(FrameEncoder.INSTANCE);
        for (Message m : messages) {
            assertThat(out.writeOutbound(m)).isTrue();
        }
        ByteBuf all = Unpooled.buffer();
        ByteBuf b;
        while ((b = out.readOutbound()) != null) {
            all.writeBytes(b);
            b.release();
        }
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        all.release();
        out.finishAndReleaseAll();
        return bytes;
    }

    /**
     * Decodes wire bytes fed in pieces; returns the messages (chunks released after their bytes are
     * copied). Each piece is a copy: the decoder owns what it is given, and may compact it in place.
     */
    static List<Object> decode(byte[] bytes, int[] cuts) {
        EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(MAX_CONTROL));
        int from = 0;
        for (int cut : cuts) {
            in.writeInbound(Unpooled.copiedBuffer(bytes, from, cut - from));
            from = cut;
        }
        in.writeInbound(Unpooled.copiedBuffer(bytes, from, bytes.length - from));
        List<Object> got = new ArrayList<>();
        Object m;
        while ((m = in.readInbound()) != null) {
            got.add(comparable(m));
        }
        in.finishAndReleaseAll();
        return got;
    }

    /** Chunks hold buffers; compare them by content. */
    private static Object comparable(Object m) {
        if (m instanceof Message.Chunk c) {
            byte[] data = new byte[c.data().readableBytes()];
            c.data().getBytes(c.data().readerIndex(), data);
            c.data().release();
            return List.of(c.rawLength(), c.checksum(), new String(data, StandardCharsets.ISO_8859_1));
        }
        return m;
    }

    private static Message.Chunk chunkOf(String text) {
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        return Chunks.compress(raw, raw.length, ByteBufAllocator.DEFAULT);
    }

    @Test
    void everyMessageKind_hasAFrameType_andEveryTypeADistinctCode() {
        for (Class<?> kind : Message.class.getPermittedSubclasses()) {
            assertThat(java.util.Arrays.stream(Protocol.Type.values()).filter(t -> t.name() != null)
                    .map(t -> controlOrChunkOf(t)).anyMatch(kind::isInstance)).as(kind.getSimpleName()).isTrue();
        }
        assertThat(java.util.Arrays.stream(Protocol.Type.values()).mapToInt(t -> t.code).distinct().count())
                .isEqualTo(Protocol.Type.values().length);
        assertThat(controlMessages()).allSatisfy(m -> assertThat(m.type()).isNotNull());
    }

    /** One message of each type, for the test above. */
    private static Message controlOrChunkOf(Protocol.Type t) {
        if (t == Protocol.Type.CHUNK) {
            return new Message.Chunk(1, 0, Unpooled.EMPTY_BUFFER);
        }
        return controlMessages().stream().filter(m -> m.type() == t).findFirst().orElseThrow();
    }

    @Test
    void roundTrip_everyControlMessage() {
        List<Message> messages = controlMessages();
        assertThat(decode(wire(messages), new int[0])).containsExactlyElementsOf(messages);
    }

    @Test
    void roundTrip_chunk_keepsLengthChecksumAndData() {
        Message.Chunk chunk = chunkOf("hello hello hello hello hello");
        Object expected = List.of(chunk.rawLength(), chunk.checksum(), latin1(chunk.data()));
        assertThat(decode(wire(List.of(chunk)), new int[0])).containsExactly(expected);
    }

    private static String latin1(ByteBuf b) {
        return b.toString(b.readerIndex(), b.readableBytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void decode_inputSplitAtRandomPoints_givesSameMessages() {
        List<Message> messages = new ArrayList<>(controlMessages());
        byte[] bytes = wire(messages);
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            int pieces = 1 + random.nextInt(12);
            int[] cuts = random.ints(pieces, 0, bytes.length + 1).sorted().toArray();
            assertThat(decode(bytes, cuts)).as("round %d, cuts %s", round, java.util.Arrays.toString(cuts))
                    .containsExactlyElementsOf(messages);
        }
    }

    /** Chunks between control frames, cut anywhere: each chunk's bytes arrive in pieces. */
    @Test
    void decode_chunksSplitAtRandomPoints_giveSameMessages() {
        List<Message> messages = List.of(new Message.Ready(), chunkOf("x".repeat(70_000)), chunkOf("hello"),
                new Message.StreamEnd(70_005, 42L));
        List<Object> expected = new ArrayList<>();
        for (Message m : messages) {
            expected.add(m instanceof Message.Chunk c ? List.of(c.rawLength(), c.checksum(), latin1(c.data())) : m);
        }
        byte[] bytes = wire(messages);
        Random random = new Random(13);
        for (int round = 0; round < 100; round++) {
            int[] cuts = random.ints(1 + random.nextInt(40), 0, bytes.length + 1).sorted().toArray();
            assertThat(decode(bytes, cuts)).as("round %d", round).containsExactlyElementsOf(expected);
        }
    }

    /** A connection that ends inside a chunk frame: the part received is released, nothing is emitted. */
    @Test
    void connectionEndingMidChunk_releasesThePartReceived() {
        byte[] bytes = wire(List.of(chunkOf("y".repeat(10_000))));
        io.netty.buffer.UnpooledByteBufAllocator alloc = new io.netty.buffer.UnpooledByteBufAllocator(true);
        EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(MAX_CONTROL));
        in.config().setAllocator(alloc);
        in.writeInbound(Unpooled.wrappedBuffer(bytes, 0, bytes.length / 2));
        assertThat(alloc.metric().usedDirectMemory()).as("the chunk's buffer while it arrives").isPositive();
        assertThat((Object) in.readInbound()).isNull();
        in.finishAndReleaseAll();
        assertThat(alloc.metric().usedDirectMemory()).as("after the connection closed").isZero();
    }

    @Test
    void decode_byteByByte_givesSameMessages() {
        List<Message> messages = controlMessages();
        byte[] bytes = wire(messages);
        int[] cuts = new int[bytes.length - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        assertThat(decode(bytes, cuts)).containsExactlyElementsOf(messages);
    }

    /**
     * Each byte of known-good frames corrupted in turn: the decoder either still yields messages
     * (a changed value) or fails with a ProtocolException, never anything else, never a huge
     * allocation.
     */
    @Test
    void decode_oneByteCorrupted_failsCleanlyOrDecodes() {
        List<Message> messages = new ArrayList<>(controlMessages());
        byte[] good = wire(messages);
        Random random = new Random(11);
        int failures = 0;
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= (byte) (1 + random.nextInt(255));
            try {
                decode(bad, new int[] {random.nextInt(bad.length)});
            } catch (DecoderException e) {
                assertThat(e).hasCauseInstanceOf(ProtocolException.class);
                failures++;
            }
        }
        assertThat(failures).as("corrupting headers and lengths must be caught").isPositive();
    }

    @Nested
    class BadFrames {

        private Throwable failureOf(byte[] bytes) {
            EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(MAX_CONTROL));
            try {
                in.writeInbound(Unpooled.wrappedBuffer(bytes));
                return null;
            } catch (DecoderException e) {
                return e.getCause();
            } finally {
                in.finishAndReleaseAll();
            }
        }

        @Test
        void wrongMagic_isRejected() {
            assertThat(failureOf("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("bad magic 0x4745");
        }

        @Test
        void wrongVersion_isVersionMismatch() {
            assertThat(failureOf(new byte[] {0x5A, 0x50, 1, 1, 0, 0, 0, 0}))
                    .isInstanceOf(VersionMismatchException.class)
                    .hasMessageContaining("peer speaks protocol version 1, this side speaks version " + Protocol.VERSION);
        }

        @Test
        void unknownType_isRejected() {
            assertThat(failureOf(new byte[] {0x5A, 0x50, Protocol.VERSION, 99, 0, 0, 0, 0}))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("unknown frame type 99");
        }

        @Test
        void hugeLength_isRejectedFromTheHeaderAlone() {
            assertThat(failureOf(new byte[] {0x5A, 0x50, Protocol.VERSION, 6, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("longer than the maximum");
        }

        @Test
        void chunkLongerThanAnyChunk_isRejected() {
            int len = FrameDecoder.MAX_CHUNK_FRAME + 1;
            assertThat(failureOf(new byte[] {0x5A, 0x50, Protocol.VERSION, 14, (byte) (len >>> 24), (byte) (len >>> 16),
                    (byte) (len >>> 8), (byte) len})).isInstanceOf(ProtocolException.class);
        }

        @Test
        void chunkShorterThanItsLengthAndChecksum_isRejected() {
            assertThat(failureOf(new byte[] {0x5A, 0x50, Protocol.VERSION, (byte) Protocol.Type.CHUNK.code, 0, 0, 0, 7,
                    1, 2, 3, 4, 5, 6, 7})).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("CHUNK frame of 7 bytes is shorter than its 8-byte raw length and checksum");
        }

        @Test
        void listCountThatCannotFit_isRejected() {
            ByteBuf b = Unpooled.buffer();
            b.writeShort(Protocol.MAGIC).writeByte(Protocol.VERSION).writeByte(Protocol.Type.PROJECT_LIST.code).writeInt(4);
            b.writeInt(1_000_000_000);
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            assertThat(failureOf(bytes)).isInstanceOf(ProtocolException.class).hasMessageContaining("cannot fit");
        }

        @Test
        void trailingBytesInPayload_areRejected() {
            ByteBuf b = Unpooled.buffer();
            b.writeShort(Protocol.MAGIC).writeByte(Protocol.VERSION).writeByte(Protocol.Type.READY.code).writeInt(3);
            b.writeBytes(new byte[3]);
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            assertThat(failureOf(bytes)).isInstanceOf(ProtocolException.class).hasMessageContaining("after its payload");
        }

        @Test
        void stringLongerThanPayload_isRejected() {
            ByteBuf b = Unpooled.buffer();
            b.writeShort(Protocol.MAGIC).writeByte(Protocol.VERSION).writeByte(Protocol.Type.HELLO.code).writeInt(2);
            b.writeShort(4000);
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            assertThat(failureOf(bytes)).isInstanceOf(ProtocolException.class).hasMessageContaining("does not fit");
        }

        @Test
        void afterAFailure_laterInputIsIgnored() {
            EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(MAX_CONTROL));
            assertThatThrownBy(() -> in.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})))
                    .isInstanceOf(DecoderException.class);
            in.writeInbound(Unpooled.wrappedBuffer(wire(List.of(new Message.Ready()))));
            assertThat((Object) in.readInbound()).isNull();
            in.finishAndReleaseAll();
        }
    }
}
