package io.zproj.cache;

import io.zproj.transport.StreamHeader;
import io.zproj.zfs.ProjectId;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The transfers in progress, per project, with bytes done and the total when known; for {@code zproj status}. */
final class Transfers {

    /** One transfer's progress. */
    record Progress(String kind, long done, long total) {}

    private record Live(String kind, AtomicLong done, AtomicLong total) {}

    private final Map<ProjectId, Live> live = new ConcurrentHashMap<>();

    /** A listener that records a transfer of {@code id} while it runs; call {@link #done} at the end. */
    TransferListener track(ProjectId id, String kind) {
        Live l = new Live(kind, new AtomicLong(), new AtomicLong(-1));
        live.put(id, l);
        return new TransferListener() {
            @Override
            public void started(InetSocketAddress server, StreamHeader header, long estimatedBytes) {
                l.done().set(0);
                l.total().set(estimatedBytes);
            }

            @Override
            public void progress(long rawBytes) {
                l.done().set(rawBytes);
            }
        };
    }

    void done(ProjectId id) {
        live.remove(id);
    }

    Optional<Progress> of(ProjectId id) {
        Live l = live.get(id);
        return l == null ? Optional.empty() : Optional.of(new Progress(l.kind(), l.done().get(), l.total().get()));
    }
}
