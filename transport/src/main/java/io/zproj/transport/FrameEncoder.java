package io.zproj.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * {@link Message}s to frames. A chunk's compressed data is passed on without a copy, behind
 * its own small header buffer. Stateless, so one instance may serve every channel.
 */
@ChannelHandler.Sharable
final class FrameEncoder extends MessageToMessageEncoder<Message> {

    static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {}

    @Override
    protected void encode(ChannelHandlerContext ctx, Message msg, List<Object> out) {
        if (msg instanceof Message.Chunk c) {
            out.add(chunkFrame(c, ctx.alloc()));
            return;
        }
        out.add(encodeControl(msg, ctx.alloc()));
    }

    /**
     * A chunk's whole frame: a small header buffer and the chunk's data, without a copy. Takes
     * ownership of the data. Writing this buffer rather than the chunk lets Netty count its real
     * size against the channel's water marks at once, from any thread.
     */
    static ByteBuf chunkFrame(Message.Chunk c, ByteBufAllocator alloc) {
        ByteBuf header = alloc.buffer(Protocol.HEADER_LENGTH + 8);
        writeHeader(header, c, 8 + c.data().readableBytes());
        header.writeInt(c.rawLength());
        header.writeInt(c.checksum());
        return io.netty.buffer.Unpooled.wrappedUnmodifiableBuffer(header, c.data());
    }

    /** A whole frame for any message but a chunk, in one new buffer. */
    static ByteBuf encodeControl(Message msg, ByteBufAllocator alloc) {
        ByteBuf buf = alloc.buffer();
        try {
            buf.writerIndex(Protocol.HEADER_LENGTH);
            Codec.encode(msg, buf);
            int end = buf.writerIndex();
            buf.writerIndex(0);
            writeHeader(buf, msg, end - Protocol.HEADER_LENGTH);
            buf.writerIndex(end);
            return buf;
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    private static void writeHeader(ByteBuf buf, Message msg, int length) {
        buf.writeShort(Protocol.MAGIC);
        buf.writeByte(Protocol.VERSION);
        buf.writeByte(msg.type().code);
        buf.writeInt(length);
    }
}
