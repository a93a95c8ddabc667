package io.zproj.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.zproj.transport.tls.NodeTls;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The event loops of one process's connections (native epoll where available, NIO
 * otherwise), and the factory of its servers and clients: with TLS (mutual, this node's
 * certificate) when made with a {@link NodeTls}, in plain text otherwise. Close it last.
 */
public final class Transport implements AutoCloseable {

    private final TransportConfig config;
    private final EventLoopGroup group;
    private final boolean epoll;
    private final Optional<NodeTls> tls;
    private final ReceiveSpare receiveSpare;

    private Transport(TransportConfig config, EventLoopGroup group, boolean epoll, Optional<NodeTls> tls) {
        this.config = config;
        this.group = group;
        this.epoll = epoll;
        this.tls = tls;
        this.receiveSpare = new ReceiveSpare(config.receiveSpareBytes());
    }

    /** What the streams this transport receives (as client and as server) may queue beyond their own share. */
    ReceiveSpare receiveSpare() {
        return receiveSpare;
    }

    /** Event loops for this process (one per core), connections in plain text: for loopback and tests. */
    public static Transport create(TransportConfig config) {
        return create(config, Optional.empty());
    }

    /** Event loops for this process (one per core), every connection over mutual TLS when {@code tls} is given. */
    public static Transport create(TransportConfig config, Optional<NodeTls> tls) {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("zproj-net", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        return new Transport(config, group, epoll, tls);
    }

    public TransportConfig config() {
        return config;
    }

    /** This node's TLS, if its connections use it. */
    public Optional<NodeTls> tls() {
        return tls;
    }

    /** Who this node is to servers: its certificate's name with TLS, else {@code fallback}. */
    public String name(String fallback) {
        return tls.map(t -> t.identity().name()).orElse(fallback);
    }

    /** {@code epoll} or {@code nio}. */
    public String kind() {
        return epoll ? "epoll" : "nio";
    }

    /**
     * Starts serving {@code service} on {@code listen} (port 0 picks a free port).
     *
     * @throws TransportException if the address cannot be bound
     */
    public TransportServer serve(InetSocketAddress listen, ReplicaService service) throws TransportException {
        return TransportServer.start(this, listen, service, Access.open());
    }

    /** Starts serving {@code service}, each request checked by {@code access}. */
    public TransportServer serve(InetSocketAddress listen, ReplicaService service, Access access)
            throws TransportException {
        return TransportServer.start(this, listen, service, access);
    }

    /**
     * Connects to a server and shakes hands.
     *
     * @param name this client's name, recorded by the server as the writer of what it pushes
     *             (with TLS the server uses the name in this node's certificate instead)
     * @throws TransportException if the server cannot be reached or does not speak this protocol
     */
    public TransportClient connect(InetSocketAddress server, String name) throws TransportException {
        return TransportClient.connect(this, server, name);
    }

    EventLoopGroup group() {
        return group;
    }

    Class<? extends ServerChannel> serverChannelClass() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    Class<? extends Channel> channelClass() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
