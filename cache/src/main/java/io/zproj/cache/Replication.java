package io.zproj.cache;

import io.zproj.transport.Addresses;
import io.zproj.transport.ErrorCode;
import io.zproj.transport.ProjectInfo;
import io.zproj.transport.RemoteException;
import io.zproj.transport.SnapshotEntry;
import io.zproj.transport.StreamHeader;
import io.zproj.transport.StreamSink;
import io.zproj.transport.StreamSource;
import io.zproj.transport.StreamStats;
import io.zproj.transport.Transport;
import io.zproj.transport.TransportClient;
import io.zproj.transport.TransportClient.PushResult;
import io.zproj.zfs.Plan;
import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * Server to server: brings one replica's copy of a project up to another's, for
 * {@code zproj replicate}. Needs no local ZFS: the stream is relayed through this process.
 */
public final class Replication {

    private final Transport transport;
    private final String clientName;

    public Replication(Transport transport, String clientName) {
        this.transport = transport;
        this.clientName = clientName;
    }

    /** What a replication between two servers did; {@code upToDate} if the target had it already. */
    public record ReplicateOutcome(InetSocketAddress from, InetSocketAddress to, SnapshotEntry snapshot,
            boolean upToDate, boolean incremental, StreamStats stats, Duration elapsed) {}

    /** Relays run on threads of their own, one per replication in flight. */
    private static final java.util.concurrent.ExecutorService RELAYS = java.util.concurrent.Executors.newCachedThreadPool(Threads.named("zproj-relay"));

    /**
     * Brings {@code to}'s copy of a project up to {@code from}'s newest snapshot, as the planner
     * says (full, incremental from {@code to}'s head, or nothing), by relaying {@code from}'s send
     * into {@code to}'s receive through this process: the same streams, checksums and backpressure
     * as a pull and a push, nothing stored here. A broken relay leaves {@code to} as it was.
     *
     * @throws DivergedException  if the two copies have diverged (nothing is changed)
     * @throws RemoteException    NOT_FOUND if {@code from} does not hold it; what {@code to} refused
     */
    public ReplicateOutcome replicate(ProjectId id, InetSocketAddress from, InetSocketAddress to,
            TransferListener listener) throws IOException {
        long start = System.nanoTime();
        try (TransportClient source = transport.connect(from, clientName);
                TransportClient target = transport.connect(to, clientName)) {
            ProjectInfo have = source.info(id.uuid());
            Optional<ProjectInfo> want = ProjectTransfers.remoteInfo(target, id);
            if (have.snapshots().isEmpty()) {
                throw new CacheException(Addresses.format(from) + " holds " + id + " without a snapshot; nothing to send");
            }
            Plan plan = Plan.between(ProjectTransfers.points(have.snapshots()), want.map(w -> ProjectTransfers.points(w.snapshots())).orElse(List.of()));
            if (plan instanceof Plan.UpToDate || plan instanceof Plan.Behind) {
                return new ReplicateOutcome(from, to, have.newest().orElseThrow(), true, true, new StreamStats(0, 0),
                        Duration.ofNanos(System.nanoTime() - start));
            }
            if (plan instanceof Plan.Diverged d) {
                throw new DivergedException("the copies of " + id + " have diverged: "
                        + d.describe(Addresses.format(from), Addresses.format(to)) + "; nothing was sent");
            }
            OptionalLong base = plan instanceof Plan.Incremental inc ? OptionalLong.of(inc.from().guid())
                    : OptionalLong.empty();
            Relay relay = new Relay(target, listener, to);
            TransportClient.PullResult<PushResult> r = source.pull(id.uuid(), base, relay::open);
            PushResult pushed = r.value();
            return new ReplicateOutcome(from, to, pushed.ack().snapshot(), false, base.isPresent(), pushed.stats(),
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (RemoteException e) {
            if (e.code() == ErrorCode.DIVERGED) {
                throw new DivergedException(e.getMessage());
            }
            throw e;
        }
    }

    /**
     * The sink of a pull that is the source of a push: a bounded pipe between the pulling thread
     * and a pushing one. The push's stream ends with an end frame only if the pull's ended with a
     * verified one; any other end makes the push fail, so the target aborts its receive.
     */
    private static final class Relay {
        private final TransportClient target;
        private final TransferListener listener;
        private final InetSocketAddress to;

        Relay(TransportClient target, TransferListener listener, InetSocketAddress to) {
            this.target = target;
            this.listener = listener;
            this.to = to;
        }

        StreamSink<PushResult> open(StreamHeader header) throws IOException {
            java.io.PipedInputStream in = new java.io.PipedInputStream(4 << 20);
            java.io.PipedOutputStream out = new java.io.PipedOutputStream(in);
            java.util.concurrent.atomic.AtomicReference<String> failed = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean verified = new java.util.concurrent.atomic.AtomicBoolean();
            listener.started(to, header, -1);
            StreamSource source = StreamSource.of(ProjectTransfers.counting(in, listener), () -> {
                if (!verified.get()) {
                    throw new IOException("the source replica's stream did not end verified: " + failed.get());
                }
            }, () -> {
                try {
                    in.close();
                } catch (IOException e) {
                    // nothing more to read
                }
            });
            CompletableFuture<PushResult> pushing = CompletableFuture.supplyAsync(() -> {
                try {
                    return target.push(header, source);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, RELAYS);
            return new StreamSink<>() {
                @Override
                public void write(byte[] buf, int off, int len) throws IOException {
                    out.write(buf, off, len); // fails once the push has given up: the pull aborts too
                }

                @Override
                public PushResult complete(long totalBytes) throws IOException {
                    verified.set(true);
                    out.close();
                    try {
                        return pushing.join();
                    } catch (java.util.concurrent.CompletionException e) {
                        Throwable cause = e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause();
                        if (cause instanceof IOException io) {
                            throw io;
                        }
                        throw new CacheException("relay to " + Addresses.format(to) + " failed: " + cause, cause);
                    }
                }

                @Override
                public void abort(String reason) {
                    failed.set(reason);
                    try {
                        out.close();
                    } catch (IOException e) {
                        // the push sees the end and fails on it
                    }
                    pushing.exceptionally(t -> null).join();
                }
            };
        }
    }
}
