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
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A listening replica server: accepts connections, runs each request on a worker thread
 * (never on the event loop: requests call ZFS), at most {@code maxStreams} streams at once.
 * {@link #close()} stops accepting, closes every connection, which aborts in-flight
 * receives, and waits for the workers to finish.
 */
public final class TransportServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TransportServer.class.getName());

    private final TransportConfig config;
    private final ReplicaService service;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ThreadPoolExecutor workers;
    private final Semaphore streamPermits;
    private Channel listener;

    private TransportServer(TransportConfig config, ReplicaService service) {
        this.config = config;
        this.service = service;
        this.streamPermits = new Semaphore(config.maxStreams());
        this.workers = new ThreadPoolExecutor(0, config.maxStreams() + 16, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), new DefaultThreadFactory("zproj-server-worker", true));
    }

    static TransportServer start(Transport transport, InetSocketAddress listen, ReplicaService service)
            throws TransportException {
        TransportConfig config = transport.config();
        TransportServer server = new TransportServer(config, service);
        ServerBootstrap b = new ServerBootstrap()
                .group(transport.group())
                .channel(transport.serverChannelClass())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.writeLowWaterMark(), config.writeHighWaterMark()))
                .childHandler(new PipelineInitializer(config, () -> new ServerHandler(server)));
        try {
            server.listener = b.bind(listen).syncUninterruptibly().channel();
        } catch (Exception e) {
            server.workers.shutdown();
            throw new TransportException("cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        LOG.log(Level.INFO, "serving " + service.name() + " on " + server.address() + " (" + transport.kind() + ")");
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

    TransportConfig config() {
        return config;
    }

    ReplicaService service() {
        return service;
    }

    void register(Channel ch) {
        connections.add(ch);
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
