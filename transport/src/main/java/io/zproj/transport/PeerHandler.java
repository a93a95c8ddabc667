package io.zproj.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * What client and server connections share: stream frames go to the current
 * {@link ChunkReader}, error frames and a closed connection stop the current sender
 * ({@link Writability}), and a bad frame, an idle connection or a failure closes the
 * connection with one log line saying why. Stateful: one instance per channel.
 */
abstract class PeerHandler extends SimpleChannelInboundHandler<Message> {

    private static final System.Logger LOG = System.getLogger(PeerHandler.class.getName());

    protected final Writability writability = new Writability();
    protected volatile ChunkReader reader;
    /**
     * This side gave up on the peer's stream and said why: the frames the peer still had in
     * flight for it are dropped, up to its end frame, instead of being a protocol violation.
     */
    protected volatile boolean discarding;
    /** Why the connection failed, if it did (e.g. the TLS alert the peer sent): for the caller's error. */
    protected volatile Throwable failure;

    PeerHandler() {
        super(false); // chunks are released by whoever consumes them
    }

    /** A control message (anything but a stream frame). */
    protected abstract void onMessage(ChannelHandlerContext ctx, Message msg);

    /** The connection is gone. */
    protected abstract void onClosed();

    @Override
    protected final void channelRead0(ChannelHandlerContext ctx, Message msg) {
        if (msg instanceof Message.Chunk || msg instanceof Message.StreamEnd) {
            ChunkReader r = reader;
            if (r != null) {
                r.offer(msg);
                return;
            }
            if (msg instanceof Message.Chunk c) {
                ReferenceCountUtil.release(c.data());
            }
            if (discarding) {
                discarding = !(msg instanceof Message.StreamEnd);
            } else {
                violation(ctx, new ProtocolException("stream frame outside a stream"));
            }
            return;
        }
        if (msg instanceof Message.Error e) {
            writability.fail(new RemoteException(e.code(), e.message()));
            ChunkReader r = reader;
            if (r != null) {
                r.offer(e);
                return;
            }
        } else {
            discarding = false; // a new request: the peer is done with the stream it was sending
        }
        onMessage(ctx, msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        writability.changed();
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        writability.fail(new TransportException("connection to " + ctx.channel().remoteAddress() + " closed"));
        ChunkReader r = reader;
        if (r != null) {
            r.offer(ChunkReader.CLOSED);
        }
        onClosed();
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent hs && !hs.isSuccess()) {
            failure = hs.cause();
            TransportMeters.handshakeFailed();
            LOG.log(Level.WARNING, "TLS handshake with " + ctx.channel().remoteAddress() + " failed: "
                    + describe(hs.cause()));
            ctx.close();
            return;
        }
        if (evt instanceof IdleStateEvent) {
            LOG.log(Level.INFO, "closing connection with " + ctx.channel().remoteAddress()
                    + ": no traffic within the idle timeout");
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (failure == null) {
            failure = c;
        }
        if (c instanceof ProtocolException p) {
            violation(ctx, p);
        } else if (c instanceof IOException) {
            LOG.log(Level.INFO, "connection with " + ctx.channel().remoteAddress() + " failed: " + c.getMessage());
            ctx.close();
        } else {
            LOG.log(Level.ERROR, "unexpected failure on connection with " + ctx.channel().remoteAddress(), c);
            ctx.close();
        }
    }

    /** A failure's message, with its cause's where TLS wraps one (a trust manager's reason). */
    static String describe(Throwable t) {
        String m = t.getMessage() != null ? t.getMessage()
                : t instanceof java.nio.channels.ClosedChannelException ? "the peer closed the connection"
                : t.getClass().getSimpleName();
        Throwable c = t.getCause();
        while (c != null && c != t) {
            if (c.getMessage() != null && !m.contains(c.getMessage())) {
                m = m + ": " + c.getMessage();
            }
            t = c;
            c = c.getCause();
        }
        return m;
    }

    /** Tells the peer why (if it can still listen) and closes. */
    protected void violation(ChannelHandlerContext ctx, ProtocolException e) {
        LOG.log(Level.WARNING, "closing connection with " + ctx.channel().remoteAddress() + ": " + e.getMessage());
        ErrorCode code = e instanceof VersionMismatchException ? ErrorCode.BAD_VERSION : ErrorCode.BAD_REQUEST;
        ctx.writeAndFlush(new Message.Error(code, e.getMessage())).addListener(ChannelFutureListener.CLOSE);
    }
}
