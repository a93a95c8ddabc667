package io.zproj.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.zproj.transport.Protocol.Type;
import java.util.List;

/**
 * Bytes to {@link Message}s: reads the 8-byte header, checks magic, version, type and length
 * (against the maximum for the type) before it waits for or allocates anything, then decodes
 * the payload. The first bad frame fails the decoder for good: it throws a
 * {@link ProtocolException} (or {@link VersionMismatchException}) once and discards everything
 * after, and the channel's handler closes the connection.
 *
 * <p>A chunk's payload is moved, as it arrives, into a direct buffer of exactly its length, which
 * becomes the {@link Message.Chunk}'s data: each byte is copied once, and the decoder's
 * cumulation never holds more than a header (it would otherwise grow to the chunk's size,
 * copying as it grows, and the chunk would be copied out of it again).
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private enum State { HEADER, BODY, CHUNK_BODY, FAILED }

    /** Longest chunk frame payload: raw length, checksum, and LZ4's worst case for the largest chunk. */
    static final int MAX_CHUNK_FRAME = 8 + Chunks.maxCompressedLength(Chunks.MAX_CHUNK_BYTES);

    private final int maxControlFrame;
    private boolean greeted;
    private State state = State.HEADER;
    private Type type;
    private int length;
    /** The payload of the chunk being received (CHUNK_BODY), owned by the decoder until complete. */
    private ByteBuf chunk;

    /** A decoder that takes any frame up to its maximum from the start (for tests of the codec). */
    FrameDecoder(int maxControlFrame) {
        this(maxControlFrame, false);
    }

    /**
     * @param gated until a HELLO or HELLO_OK frame has been decoded, take no frame longer than
     *              {@link TransportConfig#MAX_HELLO_FRAME}: a peer that has not said who it is
     *              cannot make this side buffer more than a few KiB
     */
    FrameDecoder(int maxControlFrame, boolean gated) {
        this.maxControlFrame = maxControlFrame;
        this.greeted = !gated;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws ProtocolException {
        while (true) {
            switch (state) {
                case FAILED:
                    in.skipBytes(in.readableBytes());
                    return;
                case HEADER:
                    if (in.readableBytes() < Protocol.HEADER_LENGTH) {
                        return;
                    }
                    readHeader(in);
                    if (type == Type.CHUNK) {
                        if (length < CHUNK_PREFIX) {
                            state = State.FAILED;
                            throw new ProtocolException("CHUNK frame of " + length + " bytes is shorter than its "
                                    + CHUNK_PREFIX + "-byte raw length and checksum");
                        }
                        chunk = ctx.alloc().directBuffer(length, length);
                        state = State.CHUNK_BODY;
                    } else {
                        state = State.BODY;
                    }
                    break;
                case CHUNK_BODY:
                    chunk.writeBytes(in, Math.min(in.readableBytes(), chunk.writableBytes()));
                    if (chunk.isWritable()) {
                        return;
                    }
                    ByteBuf data = chunk;
                    chunk = null;
                    out.add(new Message.Chunk(data.readInt(), data.readInt(), data));
                    state = State.HEADER;
                    break;
                case BODY:
                    if (in.readableBytes() < length) {
                        return;
                    }
                    ByteBuf payload = in.readRetainedSlice(length);
                    try {
                        out.add(Codec.decode(type, payload));
                    } catch (ProtocolException e) {
                        state = State.FAILED;
                        throw e;
                    } finally {
                        payload.release();
                    }
                    greeted |= type == Type.HELLO || type == Type.HELLO_OK;
                    state = State.HEADER;
                    break;
                default:
                    throw new AssertionError(state);
            }
        }
    }

    /** A chunk frame's payload starts with the raw length and the checksum. */
    private static final int CHUNK_PREFIX = 8;

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (chunk != null) { // the connection ended mid-chunk
            chunk.release();
            chunk = null;
        }
    }

    private void readHeader(ByteBuf in) throws ProtocolException {
        int magic = in.readUnsignedShort();
        int version = in.readUnsignedByte();
        int code = in.readUnsignedByte();
        long len = in.readUnsignedInt();
        if (magic != Protocol.MAGIC) {
            state = State.FAILED;
            throw new ProtocolException(String.format("bad magic 0x%04x (expected 0x%04x): not a zproj peer",
                    magic, Protocol.MAGIC));
        }
        if (version != Protocol.VERSION) {
            state = State.FAILED;
            throw new VersionMismatchException(version);
        }
        type = Type.of(code);
        if (type == null) {
            state = State.FAILED;
            throw new ProtocolException("unknown frame type " + code);
        }
        long max = !greeted ? Math.min(TransportConfig.MAX_HELLO_FRAME, maxControlFrame)
                : type == Type.CHUNK ? MAX_CHUNK_FRAME : maxControlFrame;
        if (len > max) {
            state = State.FAILED;
            throw new ProtocolException(type + " frame of " + len + " bytes is longer than the maximum " + max
                    + (greeted ? "" : " before the handshake"));
        }
        length = (int) len;
    }
}
