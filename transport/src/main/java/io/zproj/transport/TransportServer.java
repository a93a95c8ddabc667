package io.zproj.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.lang.System.Logger.Level;
import io.netty.channel.ChannelInitializer;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A listening replica server: accepts connections (at most {@code maxConnections}, and
 * {@code maxConnectionsPerPeer} of one identity), runs each request on a worker thread
 * (never on the event loop: requests call ZFS), at most {@code maxStreams} streams at once,
 * each request checked by its {@link Access}.
 * {@link #close()} stops accepting, closes every connection, which aborts in-flight
 * receives, and waits for the workers to finish.
 */
public final class TransportServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TransportServer.class.getName());

    private final TransportConfig config;
    private final ReplicaService service;
    private final Access access;
    private final ConcurrentHashMap<String, Integer> perPeer = new ConcurrentHashMap<>();
    private final AtomicLong refusedConnections = new AtomicLong();
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ThreadPoolExecutor workers;
    private final Semaphore streamPermits;
    private Channel listener;
    private java.util.List<io.micrometer.core.instrument.Meter> gauges = java.util.List.of();

    private final ReceiveSpare spare;

    private TransportServer(TransportConfig config, ReplicaService service, Access access, ReceiveSpare spare) {
        this.config = config;
        this.spare = spare;
        this.service = service;
        this.access = access;
        this.streamPermits = new Semaphore(config.maxStreams());
        this.workers = new ThreadPoolExecutor(0, config.maxStreams() + 16, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), new DefaultThreadFactory("zproj-server-worker", true));
    }

    static TransportServer start(Transport transport, InetSocketAddress listen, ReplicaService service, Access access)
            throws TransportException {
        TransportConfig config = transport.config();
        TransportServer server = new TransportServer(config, service, access, transport.receiveSpare());
        PipelineInitializer pipeline = new PipelineInitializer(config, transport.tls(), Optional.empty(),
                TransportConfig.MAX_REQUEST_FRAME, () -> new ServerHandler(server));
        ServerBootstrap b = new ServerBootstrap()
                .group(transport.group())
                .channel(transport.serverChannelClass())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.writeLowWaterMark(), config.writeHighWaterMark()))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (server.admit(ch)) {
                            ch.pipeline().addLast(pipeline);
                        }
                    }
                });
        try {
            server.listener = b.bind(listen).syncUninterruptibly().channel();
        } catch (Exception e) {
            server.workers.shutdown();
            throw new TransportException("cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        server.gauges = TransportMeters.serverGauges(server);
        LOG.log(Level.INFO, "serving " + service.name() + " on " + server.address() + " (" + transport.kind() + ", "
                + transport.tls().map(t -> "TLS 1.3 with " + t.provider() + " as " + t.identity())
                        .orElse("plain text, no authentication") + ")");
        return server;
    }

    /** The bound address (with the real port if 0 was asked). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Sends and receives running now. */
    public int activeStreams() {
        return config.maxStreams() - streamPermits.availablePermits();
    }

    /** What its receives may queue beyond their own share (the transport's, shared with its clients). */
    ReceiveSpare receiveSpare() {
        return spare;
    }

    TransportConfig config() {
        return config;
    }

    ReplicaService service() {
        return service;
    }

    Access access() {
        return access;
    }

    /** Connections closed at once because the server was at {@code maxConnections}, or a peer at its share. */
    public long refusedConnections() {
        return refusedConnections.get();
    }

    /** Open connections, handshaking or not. */
    public int connections() {
        return connections.size();
    }

    /** Counts a new connection in, or closes it at the limit (before it costs a TLS handshake). */
    private boolean admit(Channel ch) {
        if (connections.size() >= config.maxConnections()) {
            TransportMeters.busy("connections");
            if (refusedConnections.incrementAndGet() % 100 == 1) {
                LOG.log(Level.WARNING, "at the limit of " + config.maxConnections() + " connections: closing the one from "
                        + ch.remoteAddress() + " (" + refusedConnections.get() + " closed so far)");
            }
            ch.close();
            return false;
        }
        connections.add(ch);
        return true;
    }

    /** Counts a connection against its peer's share; false (count unchanged) at the limit. */
    boolean admitPeer(String name) {
        boolean[] ok = {true};
        perPeer.compute(name, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= config.maxConnectionsPerPeer()) {
                ok[0] = false;
                return n;
            }
            return now + 1;
        });
        if (!ok[0]) {
            refusedConnections.incrementAndGet();
        }
        return ok[0];
    }

    void releasePeer(String name) {
        perPeer.computeIfPresent(name, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Takes a stream slot, or false at the limit. */
    boolean tryAcquireStream() {
        return streamPermits.tryAcquire();
    }

    void releaseStream() {
        streamPermits.release();
    }

    /** Runs a request on a worker. @throws RejectedExecutionException if every worker is busy */
    Executor workers() {
        return workers;
    }

    @Override
    public void close() {
        TransportMeters.remove(gauges);
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        connections.close().awaitUninterruptibly();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "requests still running 60 s after shutdown; interrupting them");
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        LOG.log(Level.INFO, "stopped serving " + service.name());
    }
}
