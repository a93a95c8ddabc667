package io.zproj.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.zproj.transport.tls.NodeTls;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Assembles a connection's pipeline: TLS (when the transport has it), idle timeout, frame
 * decoder (gated: a few KiB until the handshake's HELLO), frame encoder, the peer's handler.
 */
final class PipelineInitializer extends ChannelInitializer<Channel> {

    private final TransportConfig config;
    private final Optional<NodeTls> tls;
    private final Optional<InetSocketAddress> dialed;
    private final int maxControlFrame;
    private final Supplier<ChannelHandler> handler;

    /**
     * @param dialed the server's address as the client dialed it (its host name is checked
     *               against the server's certificate); empty on the server side
     * @param maxControlFrame the largest control frame this side takes after HELLO
     */
    PipelineInitializer(TransportConfig config, Optional<NodeTls> tls, Optional<InetSocketAddress> dialed,
            int maxControlFrame, Supplier<ChannelHandler> handler) {
        this.config = config;
        this.tls = tls;
        this.dialed = dialed;
        this.maxControlFrame = maxControlFrame;
        this.handler = handler;
    }

    @Override
    protected void initChannel(Channel ch) {
        if (tls.isPresent()) {
            SslHandler ssl;
            if (dialed.isPresent()) {
                ssl = tls.get().clientContext().newHandler(ch.alloc(), dialed.get().getHostString(),
                        dialed.get().getPort());
            } else {
                InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
                ssl = tls.get().serverContext().newHandler(ch.alloc(), remote.getHostString(), remote.getPort());
            }
            ssl.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
            ch.pipeline().addLast("tls", ssl);
        }
        ch.pipeline().addLast(
                new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS),
                new FrameDecoder(maxControlFrame, true),
                FrameEncoder.INSTANCE,
                handler.get());
    }
}
