package io.zproj.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.util.Optional;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A connection to one replica server, with a blocking API: one request at a time, from one
 * thread at a time. A stream that fails mid-way closes the connection (chunks may still be in
 * flight); the client is unusable afterwards, as it is after {@link #close()}.
 */
public final class TransportClient implements AutoCloseable {

    /** The answer to a pull. */
    public record PullResult<R>(StreamHeader header, R value, StreamStats stats) {}

    /** The answer to a pull that had nothing to fetch: the client's base is the server's newest. */
    public static final class UpToDateException extends TransportException {
        private static final long serialVersionUID = 1L;
        private final transient SnapshotEntry newest;

        UpToDateException(UUID project, SnapshotEntry newest) {
            super(project + " is up to date at " + newest);
            this.newest = newest;
        }

        public SnapshotEntry newest() {
            return newest;
        }
    }

    /** What a ping learned. */
    public record PingResult(Duration rtt, Load load) {}

    /** The answer to a push. */
    public record PushResult(Ack ack, StreamStats stats) {}

    /** Opens the sink for a stream once its header is known (e.g. starts {@code zfs receive}). */
    @FunctionalInterface
    public interface SinkFactory<R> {
        StreamSink<R> open(StreamHeader header) throws IOException;
    }

    private static final Message CLOSED = new Message.Error(ErrorCode.UNAVAILABLE, "connection closed");

    private final TransportConfig config;
    private final Channel channel;
    private final Handler handler;
    private final InetSocketAddress address;
    private String serverName;

    private final ReceiveSpare spare;

    private TransportClient(TransportConfig config, Channel channel, Handler handler, InetSocketAddress address,
            ReceiveSpare spare) {
        this.config = config;
        this.spare = spare;
        this.channel = channel;
        this.handler = handler;
        this.address = address;
    }

    static TransportClient connect(Transport transport, InetSocketAddress address, String name)
            throws TransportException {
        TransportConfig config = transport.config();
        Handler handler = new Handler();
        Bootstrap b = new Bootstrap()
                .group(transport.group())
                .channel(transport.channelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.writeLowWaterMark(), config.writeHighWaterMark()))
                .handler(new PipelineInitializer(config, transport.tls(), Optional.of(address), config.maxControlFrame(),
                        () -> handler));
        Channel ch;
        try {
            ch = b.connect(address).syncUninterruptibly().channel();
        } catch (Exception e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new TransportException("cannot connect to " + Addresses.format(address) + ": "
                    + why.replaceAll(".*failed with error\\(-?\\d+\\): ", "").replaceAll(": /[0-9.:]+$", ""), e);
        }
        TransportClient client = new TransportClient(config, ch, handler, address, transport.receiveSpare());
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        if (ssl != null) {
            Future<Channel> hs = ssl.handshakeFuture().awaitUninterruptibly();
            if (!hs.isSuccess()) {
                client.close();
                throw new TransportException("TLS handshake with " + Addresses.format(address) + " failed: "
                        + PeerHandler.describe(hs.cause()), hs.cause());
            }
        }
        try {
            Message reply = client.request(new Message.Hello(transport.name(name)));
            client.serverName = client.expect(reply, Message.HelloOk.class).server();
        } catch (TransportException e) {
            client.close();
            String why = e.getMessage();
            Throwable f = handler.failure;
            if (f != null) {
                why = PeerHandler.describe(f) + (ssl != null ? " (the server refused this node's certificate: see its log)"
                        : "");
            } else if (ssl == null && why.contains("closed")) {
                why += " (does the server require TLS? give this command --tls NODEDIR)";
            }
            throw new TransportException("handshake with " + Addresses.format(address) + " failed: " + why, e);
        }
        return client;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The server's name from the handshake. */
    public String serverName() {
        return serverName;
    }

    public List<ProjectEntry> list() throws TransportException {
        return expect(request(new Message.ListProjects()), Message.ProjectList.class).projects();
    }

    public ProjectInfo info(UUID project) throws TransportException {
        return expect(request(new Message.Info(project)), Message.InfoReply.class).info();
    }

    /** Round trip time and the server's load. */
    public PingResult ping() throws TransportException {
        long start = System.nanoTime();
        Message.Pong pong = expect(request(new Message.Ping(start)), Message.Pong.class);
        return new PingResult(Duration.ofNanos(System.nanoTime() - start), pong.load());
    }

    /** Sets the project aside on the server if its head is still {@code expectedHeadGuid}; returns the name kept under. */
    public String setAside(UUID project, long expectedHeadGuid) throws TransportException {
        return expect(request(new Message.SetAside(project, expectedHeadGuid)), Message.Aside.class).keptAs();
    }

    public Ack create(UUID project, long quotaBytes) throws TransportException {
        return expect(request(new Message.Create(project, quotaBytes)), Message.Acked.class).ack();
    }

    /**
     * Fetches the project's newest snapshot, incrementally from {@code baseGuid} if the server
     * has it. The sink is opened when the header arrives; if opening it fails the server is told
     * and the error is thrown.
     *
     * @throws UpToDateException if {@code baseGuid} is already the newest snapshot
     */
    public <R> PullResult<R> pull(UUID project, OptionalLong baseGuid, SinkFactory<R> sinks) throws IOException {
        Message first = request(new Message.Send(project, baseGuid));
        if (first instanceof Message.UpToDate u) {
            throw new UpToDateException(project, u.snapshot());
        }
        StreamHeader header = expect(first, Message.StreamStart.class).header();
        StreamSink<R> sink;
        try {
            sink = sinks.open(header);
        } catch (IOException | RuntimeException e) {
            channel.writeAndFlush(new Message.Error(ErrorCode.INTERNAL, "client cannot take the stream: "
                    + e.getMessage()));
            throw e;
        }
        ChunkReader r = new ChunkReader(channel, config, spare);
        handler.reader = r;
        try {
            channel.writeAndFlush(new Message.Ready());
            ChunkReader.Result<R> result = r.drain(sink);
            return new PullResult<>(header, result.value(), result.stats());
        } catch (IOException | RuntimeException e) {
            channel.close(); // the rest of the stream may still be coming
            throw e;
        } finally {
            handler.reader = null;
        }
    }

    /**
     * The server refused a push before it took any of the stream (it never said READY): nothing
     * changed there, and this connection can be used again. An error after the stream is a plain
     * {@link RemoteException} (and the server closes the connection).
     */
    public static final class PushRefusedException extends RemoteException {
        private static final long serialVersionUID = 1L;

        PushRefusedException(ErrorCode code, String message) {
            super(code, message);
        }
    }

    /**
     * Sends a stream for the server to receive (write-back).
     *
     * @throws RemoteException DIVERGED (nothing changed on the server), NO_SPACE, CHECKSUM, ...
     */
    public PushResult push(StreamHeader header, StreamSource source) throws IOException {
        return push(header, 0, source);
    }

    /**
     * Sends a stream for the server to receive, as the project's writer since etcd revision
     * {@code writerRevision} (0: not a writer-key holder).
     */
    public PushResult push(StreamHeader header, long writerRevision, StreamSource source) throws IOException {
        try (source) {
            handler.writability.reset();
            Message ready = request(new Message.Receive(header, writerRevision));
            if (ready instanceof Message.Error e) {
                throw new PushRefusedException(e.code(), e.message());
            }
            expect(ready, Message.Ready.class);
            StreamStats stats;
            try {
                stats = ChunkPump.send(channel, source, config.chunkBytes(), config.compression(), handler.writability);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            Ack ack = expect(await(), Message.Acked.class).ack();
            return new PushResult(ack, stats);
        }
    }

    private Message request(Message m) throws TransportException {
        if (!channel.isActive()) {
            throw new TransportException("connection to " + address + " is closed");
        }
        handler.replies.clear();
        channel.writeAndFlush(m);
        return await();
    }

    private Message await() throws TransportException {
        try {
            long deadline = System.nanoTime() + config.requestTimeout().toNanos();
            Message reply = null;
            while (reply == null && channel.isActive() && System.nanoTime() < deadline) {
                reply = handler.replies.poll(200, TimeUnit.MILLISECONDS);
            }
            if (reply == null && !channel.isActive()) {
                reply = handler.replies.poll(); // an answer that came with the close
                if (reply == null) {
                    reply = CLOSED;
                }
            }
            if (reply == null) {
                channel.close();
                throw new TransportException("no answer from " + address + " within "
                        + config.requestTimeout().toSeconds() + " s");
            }
            if (reply == CLOSED) {
                throw new TransportException("connection to " + address + " closed");
            }
            return reply;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted", e);
        }
    }

    private <T extends Message> T expect(Message reply, Class<T> type) throws TransportException {
        if (reply instanceof Message.Error e) {
            throw new RemoteException(e.code(), e.message());
        }
        if (!type.isInstance(reply)) {
            channel.close();
            throw new ProtocolException("expected " + type.getSimpleName() + " from " + address + ", got "
                    + reply.type());
        }
        return type.cast(reply);
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Control messages to a queue the caller waits on; stream frames to the current reader. */
    private static final class Handler extends PeerHandler {
        final LinkedBlockingQueue<Message> replies = new LinkedBlockingQueue<>();

        @Override
        protected void onMessage(ChannelHandlerContext ctx, Message msg) {
            replies.add(msg);
        }

        @Override
        protected void onClosed() {
            replies.add(CLOSED);
        }
    }
}
