package io.zproj.transport;

import io.netty.buffer.ByteBuf;
import io.zproj.transport.Message.Acked;
import io.zproj.transport.Message.Chunk;
import io.zproj.transport.Message.Create;
import io.zproj.transport.Message.Hello;
import io.zproj.transport.Message.HelloOk;
import io.zproj.transport.Message.Info;
import io.zproj.transport.Message.InfoReply;
import io.zproj.transport.Message.ListProjects;
import io.zproj.transport.Message.Ping;
import io.zproj.transport.Message.Pong;
import io.zproj.transport.Message.ProjectList;
import io.zproj.transport.Message.Ready;
import io.zproj.transport.Message.Receive;
import io.zproj.transport.Message.Send;
import io.zproj.transport.Message.StreamEnd;
import io.zproj.transport.Message.StreamStart;
import io.zproj.transport.Message.UpToDate;
import io.zproj.transport.Protocol.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/** Payload encoding of each message; the frame header is the encoder's and decoder's business. */
final class Codec {

    /** Smallest encoded {@link SnapshotEntry}: empty name and three longs. */
    private static final int MIN_SNAPSHOT_BYTES = 2 + 24;
    /** Smallest encoded {@link ProjectEntry}: UUID, absent snapshot, two longs. */
    private static final int MIN_PROJECT_BYTES = 16 + 1 + 16;

    private Codec() {}

    /** Writes the payload of any message but {@link Chunk} (whose data the encoder passes on as is). */
    static void encode(Message m, ByteBuf out) {
        if (m instanceof Hello h) {
            writeString(out, h.peer());
        } else if (m instanceof HelloOk h) {
            writeString(out, h.server());
        } else if (m instanceof Message.Error e) {
            out.writeShort(e.code().wire());
            writeString(out, truncate(e.message()));
        } else if (m instanceof Ping p) {
            out.writeLong(p.nanos());
        } else if (m instanceof Pong p) {
            out.writeLong(p.nanos());
            out.writeInt(p.load().streamsInFlight());
            out.writeLong(p.load().freeBytes());
        } else if (m instanceof ProjectList l) {
            out.writeInt(l.projects().size());
            for (ProjectEntry e : l.projects()) {
                writeUuid(out, e.id());
                writeOptionalSnapshot(out, e.newest());
                out.writeLong(e.usedBytes());
                out.writeLong(e.quotaBytes());
            }
        } else if (m instanceof Info i) {
            writeUuid(out, i.project());
        } else if (m instanceof InfoReply r) {
            ProjectInfo info = r.info();
            writeUuid(out, info.id());
            out.writeLong(info.usedBytes());
            out.writeLong(info.referencedBytes());
            out.writeLong(info.quotaBytes());
            out.writeInt(info.snapshots().size());
            info.snapshots().forEach(s -> writeSnapshot(out, s));
        } else if (m instanceof Send s) {
            writeUuid(out, s.project());
            out.writeBoolean(s.baseGuid().isPresent());
            if (s.baseGuid().isPresent()) {
                out.writeLong(s.baseGuid().getAsLong());
            }
        } else if (m instanceof StreamStart s) {
            writeHeader(out, s.header());
        } else if (m instanceof UpToDate u) {
            writeUuid(out, u.project());
            writeSnapshot(out, u.snapshot());
        } else if (m instanceof StreamEnd e) {
            out.writeLong(e.totalBytes());
            out.writeLong(e.checksum());
        } else if (m instanceof Receive r) {
            writeHeader(out, r.header());
            out.writeLong(r.writerRevision());
        } else if (m instanceof Acked a) {
            writeUuid(out, a.ack().project());
            writeSnapshot(out, a.ack().snapshot());
        } else if (m instanceof Create c) {
            writeUuid(out, c.project());
            out.writeLong(c.quotaBytes());
        } else if (m instanceof Message.SetAside a) {
            writeUuid(out, a.project());
            out.writeLong(a.expectedHeadGuid());
        } else if (m instanceof Message.Aside a) {
            writeString(out, a.keptAs());
        } else if (m instanceof Chunk) {
            throw new IllegalArgumentException("chunks are encoded by the frame encoder");
        }
        // ListProjects and Ready have no payload
    }

    /**
     * Reads a control frame's payload into new objects (chunks are the frame decoder's).
     *
     * @throws ProtocolException if the payload is short, long, or holds an impossible value
     */
    static Message decode(Type type, ByteBuf in) throws ProtocolException {
        try {
            Message m = switch (type) {
                case HELLO -> new Hello(readString(in));
                case HELLO_OK -> new HelloOk(readString(in));
                case ERROR -> new Message.Error(ErrorCode.fromWire(in.readUnsignedShort()), readString(in));
                case PING -> new Ping(in.readLong());
                case PONG -> new Pong(in.readLong(), new Load(nonNegative(in.readInt(), "streams"),
                        in.readLong()));
                case LIST -> new ListProjects();
                case PROJECT_LIST -> {
                    int n = count(in, MIN_PROJECT_BYTES);
                    List<ProjectEntry> list = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        list.add(new ProjectEntry(readUuid(in), readOptionalSnapshot(in), in.readLong(),
                                in.readLong()));
                    }
                    yield new ProjectList(list);
                }
                case INFO -> new Info(readUuid(in));
                case INFO_REPLY -> {
                    UUID id = readUuid(in);
                    long used = in.readLong();
                    long referenced = in.readLong();
                    long quota = in.readLong();
                    int n = count(in, MIN_SNAPSHOT_BYTES);
                    List<SnapshotEntry> snaps = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        snaps.add(readSnapshot(in));
                    }
                    yield new InfoReply(new ProjectInfo(id, used, referenced, quota, snaps));
                }
                case SEND -> new Send(readUuid(in), in.readBoolean() ? OptionalLong.of(in.readLong())
                        : OptionalLong.empty());
                case STREAM_START -> new StreamStart(readHeader(in));
                case UP_TO_DATE -> new UpToDate(readUuid(in), readSnapshot(in));
                case READY -> new Ready();
                case CHUNK -> throw new IllegalArgumentException("chunks are decoded by the frame decoder");
                case STREAM_END -> new StreamEnd(nonNegative(in.readLong(), "total"), in.readLong());
                case RECEIVE -> new Receive(readHeader(in), in.readLong());
                case ACK -> new Acked(new Ack(readUuid(in), readSnapshot(in)));
                case CREATE -> new Create(readUuid(in), nonNegative(in.readLong(), "quota"));
                case SET_ASIDE -> new Message.SetAside(readUuid(in), in.readLong());
                case ASIDE -> new Message.Aside(readString(in));
            };
            if (in.isReadable()) {
                if (m instanceof Chunk c) {
                    c.data().release();
                }
                throw new ProtocolException(type + " frame has " + in.readableBytes() + " bytes after its payload");
            }
            return m;
        } catch (IndexOutOfBoundsException e) {
            throw new ProtocolException(type + " frame is shorter than its payload");
        }
    }

    private static void writeHeader(ByteBuf out, StreamHeader h) {
        writeUuid(out, h.project());
        writeSnapshot(out, h.snapshot());
        writeOptionalSnapshot(out, h.base());
    }

    private static StreamHeader readHeader(ByteBuf in) throws ProtocolException {
        return new StreamHeader(readUuid(in), readSnapshot(in), readOptionalSnapshot(in));
    }

    private static void writeSnapshot(ByteBuf out, SnapshotEntry s) {
        writeString(out, s.name());
        out.writeLong(s.guid());
        out.writeLong(s.createTxg());
        out.writeLong(s.creationEpochSecond());
    }

    private static SnapshotEntry readSnapshot(ByteBuf in) throws ProtocolException {
        return new SnapshotEntry(readString(in), in.readLong(), in.readLong(), in.readLong());
    }

    private static void writeOptionalSnapshot(ByteBuf out, Optional<SnapshotEntry> s) {
        out.writeBoolean(s.isPresent());
        s.ifPresent(v -> writeSnapshot(out, v));
    }

    private static Optional<SnapshotEntry> readOptionalSnapshot(ByteBuf in) throws ProtocolException {
        int flag = in.readUnsignedByte();
        if (flag > 1) {
            throw new ProtocolException("bad optional flag " + flag);
        }
        return flag == 1 ? Optional.of(readSnapshot(in)) : Optional.empty();
    }

    private static void writeUuid(ByteBuf out, UUID id) {
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
    }

    private static UUID readUuid(ByteBuf in) {
        return new UUID(in.readLong(), in.readLong());
    }

    static void writeString(ByteBuf out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > Protocol.MAX_STRING_BYTES) {
            throw new IllegalArgumentException("string of " + b.length + " bytes is longer than "
                    + Protocol.MAX_STRING_BYTES);
        }
        out.writeShort(b.length);
        out.writeBytes(b);
    }

    private static String readString(ByteBuf in) throws ProtocolException {
        int n = in.readUnsignedShort();
        if (n > Protocol.MAX_STRING_BYTES || n > in.readableBytes()) {
            throw new ProtocolException("string of " + n + " bytes does not fit (max " + Protocol.MAX_STRING_BYTES
                    + ", " + in.readableBytes() + " left)");
        }
        return in.readCharSequence(n, StandardCharsets.UTF_8).toString();
    }

    /** A list count, checked against what the rest of the payload could possibly hold. */
    private static int count(ByteBuf in, int minEntryBytes) throws ProtocolException {
        long n = in.readUnsignedInt();
        if (n * minEntryBytes > in.readableBytes()) {
            throw new ProtocolException("list of " + n + " entries cannot fit in " + in.readableBytes() + " bytes");
        }
        return (int) n;
    }

    private static int nonNegative(int v, String what) throws ProtocolException {
        if (v < 0) {
            throw new ProtocolException("negative " + what + ": " + v);
        }
        return v;
    }

    private static long nonNegative(long v, String what) throws ProtocolException {
        if (v < 0) {
            throw new ProtocolException("negative " + what + ": " + v);
        }
        return v;
    }

    /** Error messages are cut to fit a frame string. */
    private static String truncate(String s) {
        if (s.getBytes(StandardCharsets.UTF_8).length <= Protocol.MAX_STRING_BYTES) {
            return s;
        }
        return s.substring(0, Math.min(s.length(), Protocol.MAX_STRING_BYTES / 4)) + "...";
    }
}
