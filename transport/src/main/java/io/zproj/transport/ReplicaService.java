package io.zproj.transport;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * What a replica server does, as the transport asks it: the port the server module
 * implements. No Netty type appears here. Methods are called on worker threads, several at
 * once; a {@link ServiceException} goes to the client as an error frame with its code, any
 * other exception as {@code INTERNAL}.
 */
public interface ReplicaService {

    /** The server's name, for the handshake and logs. */
    String name();

    /** Every project the server holds. */
    List<ProjectEntry> list() throws IOException;

    /** One project with all its snapshots. @throws ServiceException NOT_FOUND */
    ProjectInfo info(UUID project) throws IOException;

    /** Bytes still available under the server's root. */
    long freeBytes() throws IOException;

    /** Creates an empty project with a first snapshot. @throws ServiceException EXISTS */
    Ack create(UUID project, long quotaBytes) throws IOException;

    /**
     * Prepares a send of the project's newest snapshot, incremental from {@code baseGuid} if the
     * server has that snapshot, full otherwise.
     *
     * @param peer who asks: once the stream was sent (or found up to date), it is based on that snapshot
     * @return the stream, or the newest snapshot if it is the base itself (nothing to send)
     */
    Outgoing send(UUID project, OptionalLong baseGuid, Peer peer) throws IOException;

    /**
     * Prepares a receive (write-back). Refuses with {@code DIVERGED} unless the server's newest
     * snapshot is the header's base, or the project is new and the stream full.
     *
     * @param peer the client from its handshake, recorded as the writer
     * @param writerRevision the etcd revision at which the peer took the project's writer key (0: none)
     */
    StreamSink<Ack> receive(StreamHeader header, Peer peer, long writerRevision) throws IOException;

    /**
     * Sets a project aside to resolve a conflict: renames it to a name that is not a project
     * (kept with all its snapshots, never destroyed), so that a full push can take its place.
     *
     * @param expectedHeadGuid the head the client decided about; if the project has moved on
     *                         since, nothing is done ({@code DIVERGED})
     * @return the name it is kept under
     */
    String setAside(UUID project, long expectedHeadGuid) throws IOException;

    /** The answer to a send request. */
    record Outgoing(Optional<StreamHeader> header, Optional<StreamSource> source, SnapshotEntry newest) {

        /** A stream to send. */
        public static Outgoing stream(StreamHeader header, StreamSource source) {
            return new Outgoing(Optional.of(header), Optional.of(source), header.snapshot());
        }

        /** Nothing to send: the client's base is the newest snapshot. */
        public static Outgoing upToDate(SnapshotEntry newest) {
            return new Outgoing(Optional.empty(), Optional.empty(), newest);
        }

        public boolean isUpToDate() {
            return header.isEmpty();
        }
    }
}
