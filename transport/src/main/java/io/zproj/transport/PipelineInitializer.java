package io.zproj.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Assembles a connection's pipeline: idle timeout, frame decoder, frame encoder, the peer's handler. */
final class PipelineInitializer extends ChannelInitializer<Channel> {

    private final TransportConfig config;
    private final Supplier<ChannelHandler> handler;

    PipelineInitializer(TransportConfig config, Supplier<ChannelHandler> handler) {
        this.config = config;
        this.handler = handler;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(
                new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS),
                new FrameDecoder(config.maxControlFrame()),
                FrameEncoder.INSTANCE,
                handler.get());
    }
}
