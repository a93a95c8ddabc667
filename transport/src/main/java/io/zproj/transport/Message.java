package io.zproj.transport;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Every frame's content. Control messages are small immutable records; {@link Chunk} owns a
 * buffer and must be released by whoever takes it last.
 */
sealed interface Message {

    /** The frame type that carries this message. */
    default Protocol.Type type() {
        return Protocol.Type.of(this);
    }

    /** Client's first frame. */
    record Hello(String peer) implements Message {}

    /** Server's answer to {@link Hello}. */
    record HelloOk(String server) implements Message {}

    /** A refused request, or an aborted stream. */
    record Error(ErrorCode code, String message) implements Message {

        public Error {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }
    }

    record Ping(long nanos) implements Message {}

    record Pong(long nanos, Load load) implements Message {}

    record ListProjects() implements Message {}

    record ProjectList(List<ProjectEntry> projects) implements Message {

        public ProjectList {
            projects = List.copyOf(projects);
        }
    }

    record Info(UUID project) implements Message {}

    record InfoReply(ProjectInfo info) implements Message {}

    /** Pull: send me this project, incrementally from {@code baseGuid} if you have it. */
    record Send(UUID project, OptionalLong baseGuid) implements Message {}

    /** The stream that will follow once the client says {@link Ready}. */
    record StreamStart(StreamHeader header) implements Message {}

    /** Answer to {@link Send} when the client's base is the server's newest snapshot. */
    record UpToDate(UUID project, SnapshotEntry snapshot) implements Message {}

    /** The receiving side is ready for the stream. */
    record Ready() implements Message {}

    /** Part of a stream: LZ4 block of {@code rawLength} bytes whose xxhash32 is {@code checksum}. */
    record Chunk(int rawLength, int checksum, ByteBuf data) implements Message {}

    /** The stream's end: total raw bytes and xxhash64 of all of them. */
    record StreamEnd(long totalBytes, long checksum) implements Message {}

    /** Push: receive this stream (after {@link Ready}). */
    /**
     * A write-back.
     *
     * @param writerRevision the etcd revision at which the pushing host took the project's writer
     *                       key, for a server that fences write-backs by it (0: none)
     */
    record Receive(StreamHeader header, long writerRevision) implements Message {
        Receive(StreamHeader header) {
            this(header, 0);
        }
    }

    record Acked(Ack ack) implements Message {}

    /** Create an empty project with a quota (0 for none). */
    record Create(UUID project, long quotaBytes) implements Message {}

    /** Resolve a conflict: rename the project aside (kept, never destroyed) if its head is still this one. */
    record SetAside(UUID project, long expectedHeadGuid) implements Message {}

    /** The name the project was set aside under. */
    record Aside(String keptAs) implements Message {}
}
