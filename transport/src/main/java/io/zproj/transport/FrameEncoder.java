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
            ByteBuf header = ctx.alloc().buffer(Protocol.HEADER_LENGTH + 8);
            writeHeader(header, msg, 8 + c.data().readableBytes());
            header.writeInt(c.rawLength());
            header.writeInt(c.checksum());
            out.add(header);
            out.add(c.data()); // ownership passes on: Netty releases it once written
            return;
        }
        out.add(encodeControl(msg, ctx.alloc()));
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
