package io.zproj.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Client and server over real loopback sockets, with an in-memory service standing in for ZFS
 * (the ZFS-backed server is tested in the server module). Surefire gives this JVM a small
 * heap (see the module's pom), so the large streams here also show that memory stays bounded.
 */
class TransportTest {

    private static final UUID P = UUID.fromString("0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69");

    private final FakeService service = new FakeService();
    private Transport transport;
    private TransportServer server;

    @BeforeEach
    void start() throws Exception {
        transport = Transport.create(TransportConfig.defaults().withIdleTimeout(Duration.ofSeconds(2))
                .withRequestTimeout(Duration.ofSeconds(20)).withCompression(Compression.LZ4)); // loopback would store

        server = transport.serve(new InetSocketAddress("127.0.0.1", 0), service);
    }

    @AfterEach
    void stop() {
        server.close();
        transport.close();
    }

    private TransportClient client() throws TransportException {
        return transport.connect(server.address(), "test-client");
    }

    @Test
    void controlRequests_roundTrip() throws Exception {
        service.lengths.put(P, 10L);
        try (TransportClient c = client()) {
            assertThat(c.serverName()).isEqualTo("fake");
            assertThat(c.list()).extracting(ProjectEntry::id).containsExactly(P);
            assertThat(c.info(P).snapshots()).containsExactly(FakeService.A, FakeService.B);
            TransportClient.PingResult ping = c.ping();
            assertThat(ping.load()).isEqualTo(new Load(0, 123456789L));
            assertThat(ping.rtt()).isPositive();
            UUID fresh = UUID.randomUUID();
            assertThat(c.create(fresh, 1 << 20).project()).isEqualTo(fresh);
            assertThatThrownBy(() -> c.create(fresh, 0)).isInstanceOf(RemoteException.class)
                    .satisfies(e -> assertThat(((RemoteException) e).code()).isEqualTo(ErrorCode.EXISTS));
            assertThatThrownBy(() -> c.info(UUID.randomUUID())).isInstanceOf(RemoteException.class)
                    .hasMessageStartingWith("NOT_FOUND");
            assertThat(c.list()).hasSize(2); // the connection is still good after errors
        }
    }

    @Test
    void pull_largeStreamIntoSlowSink_isCompleteAndVerified() throws Exception {
        long length = 512L << 20; // far more than this JVM's heap
        service.lengths.put(P, length);
        GeneratedStream.Sink sink = new GeneratedStream.Sink(128 << 10); // about 100 MB/s at most
        try (TransportClient c = client()) {
            TransportClient.PullResult<Long> r = c.pull(P, OptionalLong.empty(), h -> sink);
            assertThat(r.value()).isEqualTo(length);
            assertThat(r.header().base()).isEmpty();
            assertThat(r.stats().rawBytes()).isEqualTo(length);
            assertThat(r.stats().wireBytes()).as("half the stream is a repeated pattern, half noise")
                    .isBetween(length / 3, length * 3 / 4); // several times the memory this JVM may use
            assertThat(sink.completed).isTrue();
            assertThat(sink.aborted).isNull();
        }
    }

    /** Under the default policy a stream over loopback is stored, not compressed, and arrives the same. */
    @Test
    void pull_overLoopback_withTheDefaultPolicy_isStored() throws Exception {
        long length = 8L << 20;
        service.lengths.put(P, length);
        try (Transport auto = Transport.create(TransportConfig.defaults());
                TransportServer s = auto.serve(new InetSocketAddress("127.0.0.1", 0), service);
                TransportClient c = auto.connect(s.address(), "test-client")) {
            GeneratedStream.Sink sink = new GeneratedStream.Sink();
            TransportClient.PullResult<Long> r = c.pull(P, OptionalLong.empty(), h -> sink);
            assertThat(r.value()).isEqualTo(length);
            assertThat(r.stats().wireBytes()).as("stored: the raw bytes and a few per chunk")
                    .isBetween(length, length + length / 100);
            assertThat(sink.completed).isTrue();
        }
    }

    @Test
    void pull_incrementalAndUpToDate() throws Exception {
        service.lengths.put(P, 1000L);
        try (TransportClient c = client()) {
            TransportClient.PullResult<Long> r = c.pull(P, OptionalLong.of(FakeService.A.guid()),
                    h -> new GeneratedStream.Sink());
            assertThat(r.header().base()).contains(FakeService.A);
            assertThatThrownBy(() -> c.pull(P, OptionalLong.of(FakeService.B.guid()), h -> new GeneratedStream.Sink()))
                    .isInstanceOf(TransportClient.UpToDateException.class)
                    .satisfies(e -> assertThat(((TransportClient.UpToDateException) e).newest())
                            .isEqualTo(FakeService.B));
        }
    }

    @Test
    void pull_emptyStream_completes() throws Exception {
        service.lengths.put(P, 0L);
        try (TransportClient c = client()) {
            assertThat(c.pull(P, OptionalLong.empty(), h -> new GeneratedStream.Sink()).value()).isZero();
        }
    }

    @Test
    void pull_sourceFailsMidStream_abortsTheSinkWithTheReason() throws Exception {
        service.lengths.put(P, 100L << 20);
        service.sources = () -> new GeneratedStream.Source(100L << 20, 10L << 20, 0);
        GeneratedStream.Sink sink = new GeneratedStream.Sink();
        try (TransportClient c = client()) {
            assertThatThrownBy(() -> c.pull(P, OptionalLong.empty(), h -> sink))
                    .isInstanceOf(RemoteException.class).hasMessageContaining("zfs send died");
        }
        assertThat(sink.aborted).contains("zfs send died");
        assertThat(sink.completed).isFalse();
    }

    @Test
    void pull_serverDiesMidStream_abortsTheSink() throws Exception {
        service.lengths.put(P, 1L << 30);
        service.sources = () -> new GeneratedStream.Source(1L << 30, -1, 1 << 20);
        GeneratedStream.Sink sink = new GeneratedStream.Sink() {
            private long seen;

            @Override
            public void write(byte[] buf, int off, int len) throws IOException {
                super.write(buf, off, len);
                seen += len;
                if (seen >= 4 << 20 && seen - len < 4 << 20) {
                    new Thread(server::close).start(); // the replica goes away mid-stream
                }
            }
        };
        try (TransportClient c = client()) {
            assertThatThrownBy(() -> c.pull(P, OptionalLong.empty(), h -> sink))
                    .isInstanceOf(TransportException.class).hasMessageContaining("closed");
        }
        assertThat(sink.aborted).isNotNull();
        assertThat(sink.completed).isFalse();
    }

    @Test
    void pull_sinkCannotOpen_tellsServerAndConnectionStaysUsable() throws Exception {
        service.lengths.put(P, 1000L);
        try (TransportClient c = client()) {
            assertThatThrownBy(() -> c.pull(P, OptionalLong.empty(), h -> {
                throw new IOException("local pool is full");
            })).hasMessageContaining("local pool is full");
            assertThat(c.list()).hasSize(1);
        }
    }

    @Test
    void push_isReceivedAndAcked() throws Exception {
        StreamHeader h = new StreamHeader(P, new SnapshotEntry("zproj-20261124T121500Z", 1003, 30, 0),
                Optional.of(FakeService.B));
        GeneratedStream.Source source = new GeneratedStream.Source(64L << 20);
        try (TransportClient c = client()) {
            TransportClient.PushResult r = c.push(h, source);
            assertThat(r.ack()).isEqualTo(new Ack(P, h.snapshot()));
            assertThat(r.stats().rawBytes()).isEqualTo(64L << 20);
        }
        assertThat(source.finished).isTrue();
        assertThat(source.closed).isTrue();
        assertThat(service.received.get(P).completed).isTrue();
    }

    /**
     * A replica that fills up mid-stream: the client is told why (NO_SPACE and the server's
     * reason), not about the chunks it had in flight when the server gave up on the stream.
     */
    @Test
    void push_replicaFullMidStream_isRefusedWithItsReason_notABadRequest() throws Exception {
        service.noSpaceAfterBytes = 1 << 20;
        for (int i = 0; i < 5; i++) { // the chunks in flight race the server's answer: try it more than once
            StreamHeader h = new StreamHeader(P, new SnapshotEntry("zproj-20261124T121500Z", 1003, 30, 0),
                    Optional.of(FakeService.B));
            GeneratedStream.Source source = new GeneratedStream.Source(64L << 20);
            try (TransportClient c = client()) {
                assertThatThrownBy(() -> c.push(h, source)).as("attempt " + i).isInstanceOf(RemoteException.class)
                        .hasMessageContaining("out of space")
                        .satisfies(e -> assertThat(((RemoteException) e).code()).isEqualTo(ErrorCode.NO_SPACE));
            }
            assertThat(source.closed).isTrue();
        }
    }

    @Test
    void push_diverged_isRefusedBeforeAnyData() throws Exception {
        StreamHeader h = new StreamHeader(P, new SnapshotEntry("x", 5, 5, 0), Optional.of(FakeService.A));
        GeneratedStream.Source source = new GeneratedStream.Source(1 << 20);
        try (TransportClient c = client()) {
            assertThatThrownBy(() -> c.push(h, source)).isInstanceOf(RemoteException.class)
                    .hasMessageContaining("DIVERGED").hasMessageContaining("server is at @zproj-20261124T111500Z")
                    .satisfies(e -> assertThat(((RemoteException) e).code()).isEqualTo(ErrorCode.DIVERGED));
            assertThat(c.list()).isEmpty();
        }
        assertThat(source.closed).isTrue();
        assertThat(service.received).isEmpty();
    }

    @Test
    void manyConcurrentStreams_allComplete() throws Exception {
        for (int i = 0; i < 8; i++) {
            service.lengths.put(new UUID(0, i), 16L << 20);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                UUID id = new UUID(0, i);
                results.add(pool.submit(() -> {
                    try (TransportClient c = client()) {
                        return c.pull(id, OptionalLong.empty(), h -> new GeneratedStream.Sink()).value();
                    }
                }));
            }
            for (Future<Long> f : results) {
                assertThat(f.get()).isEqualTo(16L << 20);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void streamLimit_refusesWithBusy() throws Exception {
        server.close();
        server = transport.serve(new InetSocketAddress("127.0.0.1", 0), service);
        try (Transport one = Transport.create(TransportConfig.defaults().withMaxStreams(1));
                TransportServer limited = one.serve(new InetSocketAddress("127.0.0.1", 0), service)) {
            service.lengths.put(P, 1L << 30);
            service.sources = () -> new GeneratedStream.Source(1L << 30, -1, 1 << 20);
            try (TransportClient slow = one.connect(limited.address(), "a");
                    TransportClient second = one.connect(limited.address(), "b")) {
                Thread t = new Thread(() -> {
                    try {
                        slow.pull(P, OptionalLong.empty(), h -> new GeneratedStream.Sink());
                    } catch (IOException e) {
                        // closed at the end of the test
                    }
                });
                t.start();
                while (limited.activeStreams() == 0) {
                    Thread.sleep(10);
                }
                assertThatThrownBy(() -> second.pull(P, OptionalLong.empty(), h -> new GeneratedStream.Sink()))
                        .isInstanceOf(RemoteException.class).hasMessageStartingWith("BUSY");
                slow.close();
                t.join();
            }
        }
    }

    // ------------------------------------------------------------- raw sockets: a misbehaving peer

    static byte[] frame(Message m) {
        ByteBuf b = m instanceof Message.Chunk c ? chunkFrame(c) : FrameEncoder.encodeControl(m, ByteBufAllocator.DEFAULT);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        return bytes;
    }

    private static ByteBuf chunkFrame(Message.Chunk c) {
        ByteBuf b = Unpooled.buffer();
        b.writeShort(Protocol.MAGIC).writeByte(Protocol.VERSION).writeByte(Protocol.Type.CHUNK.code);
        b.writeInt(8 + c.data().readableBytes()).writeInt(c.rawLength()).writeInt(c.checksum());
        b.writeBytes(c.data());
        c.data().release();
        return b;
    }

    /** Everything the server sends until it closes the connection, decoded. */
    private static List<Object> decode(byte[] bytes) {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1 << 20));
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        List<Object> got = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            got.add(m);
        }
        ch.finishAndReleaseAll();
        return got;
    }

    /** The next {@code n} frames the server sends, decoded. */
    static List<Object> readFrames(Socket s, int n) throws IOException {
        s.setSoTimeout(20_000);
        InputStream in = s.getInputStream();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            byte[] header = in.readNBytes(Protocol.HEADER_LENGTH);
            int len = ByteBuffer.wrap(header, 4, 4).getInt();
            all.write(header);
            all.write(in.readNBytes(len));
        }
        return decode(all.toByteArray());
    }

    @Test
    void stalledReceive_isAborted_itsSlotFreed_nothingKept() throws Exception {
        try (Transport strict = Transport.create(TransportConfig.defaults().withStall(Duration.ofMillis(500), 1 << 20));
                TransportServer s2 = strict.serve(new InetSocketAddress("127.0.0.1", 0), service);
                Socket s = new Socket("127.0.0.1", s2.address().getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(frame(new Message.Hello("trickler")));
            out.write(frame(new Message.Receive(new StreamHeader(P, FakeService.A, Optional.empty()))));
            assertThat(readFrames(s, 2)).last().isInstanceOf(Message.Ready.class);
            byte[] raw = new byte[1000];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = GeneratedStream.at(i);
            }
            out.write(frame(Chunks.compress(raw, raw.length, ByteBufAllocator.DEFAULT)));
            List<Object> got = readUntilClosed(s);
            assertThat(got).singleElement().isInstanceOf(Message.Error.class);
            assertThat(((Message.Error) got.get(0)).code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(((Message.Error) got.get(0)).message()).contains("stalled");
            assertThat(service.received.get(P).aborted).contains("stalled");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (s2.activeStreams() != 0) { // the worker frees the slot once the abort is answered
                assertThat(System.nanoTime()).as("stream slot freed within 5 s").isLessThan(deadline);
                Thread.sleep(10);
            }
        }
    }

    @Test
    void unansweredSend_releasesItsSource_assoonAsThePeerGoesAway() throws Exception {
        service.lengths.put(P, 1_000_000L);
        GeneratedStream.Source source = new GeneratedStream.Source(1_000_000L);
        java.util.concurrent.atomic.AtomicBoolean closed = source.closed;
        service.sources = () -> source;
        long start = System.nanoTime();
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            s.getOutputStream().write(frame(new Message.Hello("leaver")));
            s.getOutputStream().write(frame(new Message.Send(P, OptionalLong.empty())));
            assertThat(readFrames(s, 2)).last().isInstanceOf(Message.StreamStart.class);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!closed.get() || server.activeStreams() != 0) {
            assertThat(System.nanoTime()).as("source closed within 5 s (request timeout 20 s)").isLessThan(deadline);
            Thread.sleep(10);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    static List<Object> readUntilClosed(Socket s) throws IOException {
        s.setSoTimeout(20_000);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            all.write(buf, 0, n);
        }
        return decode(all.toByteArray());
    }

    @Test
    void garbage_closesThatConnectionOnly() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            List<Object> got = readUntilClosed(s);
            assertThat(got).hasSize(1).first().isInstanceOf(Message.Error.class);
            assertThat(((Message.Error) got.get(0)).message()).contains("bad magic");
        }
        service.lengths.put(P, 1L);
        try (TransportClient c = client()) {
            assertThat(c.list()).hasSize(1);
        }
    }

    @Test
    void wrongVersion_isRefusedWithBadVersion() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            byte[] hello = frame(new Message.Hello("future-client"));
            hello[2] = 9;
            s.getOutputStream().write(hello);
            List<Object> got = readUntilClosed(s);
            assertThat(got).containsExactly(new Message.Error(ErrorCode.BAD_VERSION,
                    "peer speaks protocol version 9, this side speaks version " + Protocol.VERSION));
        }
    }

    @Test
    void requestBeforeHello_isRefused() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            s.getOutputStream().write(frame(new Message.ListProjects()));
            assertThat(readUntilClosed(s)).singleElement().isInstanceOf(Message.Error.class)
                    .extracting(e -> ((Message.Error) e).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        }
    }

    @Test
    void corruptedChunk_isDetected_sinkAborted_connectionClosed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(frame(new Message.Hello("evil")));
            out.write(frame(new Message.Receive(new StreamHeader(P, FakeService.A, Optional.empty()))));
            byte[] raw = new byte[100_000];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = GeneratedStream.at(i);
            }
            byte[] chunk = frame(Chunks.compress(raw, raw.length, ByteBufAllocator.DEFAULT));
            chunk[chunk.length - 10] ^= 0x40;
            assertThat(readFrames(s, 2)).last().isInstanceOf(Message.Ready.class); // the chunk must not come first
            out.write(chunk);
            List<Object> got = readUntilClosed(s);
            assertThat(got).hasSize(1);
            assertThat(got.get(0)).isInstanceOf(Message.Error.class)
                    .extracting(e -> ((Message.Error) e).code()).isEqualTo(ErrorCode.CHECKSUM);
        }
        assertThat(service.received.get(P).aborted).isNotNull();
        assertThat(service.received.get(P).completed).isFalse();
    }

    @Test
    void wrongStreamChecksum_isDetectedAtTheEnd() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(frame(new Message.Hello("evil")));
            out.write(frame(new Message.Receive(new StreamHeader(P, FakeService.A, Optional.empty()))));
            byte[] raw = new byte[1000];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = GeneratedStream.at(i);
            }
            Thread.sleep(200);
            out.write(frame(Chunks.compress(raw, raw.length, ByteBufAllocator.DEFAULT)));
            out.write(frame(new Message.StreamEnd(1000, 42)));
            List<Object> got = readUntilClosed(s);
            assertThat(got.get(got.size() - 1)).isInstanceOf(Message.Error.class)
                    .extracting(e -> ((Message.Error) e).message()).asString().contains("does not match its end frame");
        }
        assertThat(service.received.get(P).aborted).isNotNull();
    }

    @Test
    void idleConnection_isClosedByTheServer() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            assertThat(readUntilClosed(s)).isEmpty(); // ends because the server closed it (idle 2 s)
        }
    }

    @Test
    void connect_nothingListening_saysSo() throws Exception {
        int port;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0)) {
            port = ss.getLocalPort();
        }
        assertThatThrownBy(() -> transport.connect(new InetSocketAddress("127.0.0.1", port), "c"))
                .isInstanceOf(TransportException.class).hasMessageContaining("cannot connect to");
    }
}
