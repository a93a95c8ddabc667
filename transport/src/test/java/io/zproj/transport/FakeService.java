package io.zproj.transport;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** An in-memory replica for transport tests: projects are generated streams of given lengths. */
final class FakeService implements ReplicaService {

    static final SnapshotEntry A = new SnapshotEntry("zproj-20261124T101500Z", 1001, 10, 1795497900);
    static final SnapshotEntry B = new SnapshotEntry("zproj-20261124T111500Z", 1002, 20, 1795501500);

    final Map<UUID, Long> lengths = new ConcurrentHashMap<>();
    final Map<UUID, GeneratedStream.Sink> received = new ConcurrentHashMap<>();
    volatile Supplier<GeneratedStream.Source> sources;
    /** Who asked for each send and receive, in order. */
    final List<Peer> peers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Receives fail with NO_SPACE once this many bytes arrived (a replica that fills up mid-stream); -1: never. */
    volatile long noSpaceAfterBytes = -1;
    /** Requests served (any kind). */
    final java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();

    FakeService() {
        sources = null;
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public List<ProjectEntry> list() {
        served.incrementAndGet();
        return lengths.keySet().stream().map(id -> new ProjectEntry(id, Optional.of(B), lengths.get(id), 0)).toList();
    }

    @Override
    public ProjectInfo info(UUID project) throws IOException {
        requireKnown(project);
        return new ProjectInfo(project, lengths.get(project), lengths.get(project), 0, List.of(A, B));
    }

    @Override
    public long freeBytes() {
        return 123456789L;
    }

    @Override
    public Ack create(UUID project, long quotaBytes) throws IOException {
        served.incrementAndGet();
        if (lengths.putIfAbsent(project, 0L) != null) {
            throw new ServiceException(ErrorCode.EXISTS, project + " exists");
        }
        return new Ack(project, A);
    }

    @Override
    public Outgoing send(UUID project, OptionalLong baseGuid, Peer peer) throws IOException {
        served.incrementAndGet();
        peers.add(peer);
        requireKnown(project);
        if (baseGuid.isPresent() && baseGuid.getAsLong() == B.guid()) {
            return Outgoing.upToDate(B);
        }
        Optional<SnapshotEntry> base = baseGuid.isPresent() && baseGuid.getAsLong() == A.guid()
                ? Optional.of(A) : Optional.empty();
        GeneratedStream.Source source = sources != null ? sources.get() : new GeneratedStream.Source(lengths.get(project));
        return Outgoing.stream(new StreamHeader(project, B, base), source);
    }

    @Override
    public StreamSink<Ack> receive(StreamHeader header, Peer peer, long writerRevision) throws IOException {
        served.incrementAndGet();
        peers.add(peer);
        if (header.base().isPresent() && header.base().get().guid() != B.guid()) {
            throw new ServiceException(ErrorCode.DIVERGED, "server is at " + B + ", push is based on "
                    + header.base().get());
        }
        GeneratedStream.Sink sink = new GeneratedStream.Sink();
        received.put(header.project(), sink);
        return new StreamSink<>() {
            private long written;

            @Override
            public void write(byte[] buf, int off, int len) throws IOException {
                long limit = noSpaceAfterBytes;
                if (limit >= 0 && written + len > limit) {
                    throw new ServiceException(ErrorCode.NO_SPACE, "cannot receive new filesystem stream: out of space");
                }
                sink.write(buf, off, len);
                written += len;
            }

            @Override
            public Ack complete(long totalBytes) {
                sink.complete(totalBytes);
                return new Ack(header.project(), header.snapshot());
            }

            @Override
            public void abort(String reason) {
                sink.abort(reason);
            }
        };
    }

    @Override
    public String setAside(UUID project, long expectedHeadGuid) throws IOException {
        served.incrementAndGet();
        requireKnown(project);
        lengths.remove(project);
        return project + "-conflict";
    }

    private void requireKnown(UUID project) throws ServiceException {
        if (!lengths.containsKey(project)) {
            throw new ServiceException(ErrorCode.NOT_FOUND, "no project " + project);
        }
    }
}
