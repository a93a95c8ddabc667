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
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The event loops of one process's connections (native epoll where available, NIO
 * otherwise), and the factory of its servers and clients. Close it last.
 */
public final class Transport implements AutoCloseable {

    private final TransportConfig config;
    private final EventLoopGroup group;
    private final boolean epoll;

    private Transport(TransportConfig config, EventLoopGroup group, boolean epoll) {
        this.config = config;
        this.group = group;
        this.epoll = epoll;
    }

    /** Event loops for this process: one per core. */
    public static Transport create(TransportConfig config) {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("zproj-net", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        return new Transport(config, group, epoll);
    }

    public TransportConfig config() {
        return config;
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
        return TransportServer.start(this, listen, service);
    }

    /**
     * Connects to a server and shakes hands.
     *
     * @param name this client's name, recorded by the server as the writer of what it pushes
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
