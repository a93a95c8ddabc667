package io.zproj.cache;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.zproj.transport.Addresses;
import io.zproj.transport.TransportMeters;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * What a mount daemon's cache counts, on Micrometer's global registry (served by
 * {@code --metrics}): fault-ins, refreshes, write-backs and their lag per replica, conflicts,
 * evictions, the cache's size and bound, the projects mounted. Every meter is tagged with the
 * node's name, so that two caches in one process (tests) stay apart. One place names them all.
 */
final class CacheMeters implements AutoCloseable {

    private final Tags node;
    private final List<Meter> gauges = new CopyOnWriteArrayList<>();
    private final Set<InetSocketAddress> replicasSeen = ConcurrentHashMap.newKeySet();
    private final Timer faultInDuration;

    CacheMeters(String nodeName) {
        this.node = Tags.of("node", nodeName);
        this.faultInDuration = Timer.builder("zproj.faultin.duration").description("time to fault a project in")
                .tags(node).publishPercentileHistogram().register(Metrics.globalRegistry);
        // counters exist from the start at 0, so that a scrape shows them and rate() has a first sample
        for (String outcome : List.of("ok", "failed")) {
            Metrics.counter("zproj.faultins", node.and("outcome", outcome));
            Metrics.counter("zproj.refreshes", node.and("outcome", outcome));
        }
        Metrics.counter("zproj.faultin.bytes", node);
        Metrics.counter("zproj.refresh.bytes", node);
        Metrics.counter("zproj.conflicts", node);
        Metrics.counter("zproj.evictions", node);
    }

    /** Registers the gauges that read the cache's state when scraped. */
    void gauges(Supplier<Number> usedBytes, long boundBytes, Supplier<Number> cached, Supplier<Number> mounted) {
        gauge("zproj.cache.used.bytes", "bytes the cached projects use", usedBytes);
        gauge("zproj.cache.bound.bytes", "the cache's size bound (0: none)", () -> boundBytes);
        gauge("zproj.projects.cached", "projects with a local copy", cached);
        gauge("zproj.projects.mounted", "projects whose dataset is mounted (of zfs-fuse's 1,000)", mounted);
    }

    private void gauge(String name, String description, Supplier<Number> value) {
        gauges.add(Gauge.builder(name, value).description(description).tags(node).strongReference(true)
                .register(Metrics.globalRegistry));
    }

    void faultedIn(long bytes, Duration took) {
        Metrics.counter("zproj.faultins", node.and("outcome", "ok")).increment();
        Metrics.counter("zproj.faultin.bytes", node).increment(bytes);
        faultInDuration.record(took);
    }

    void faultInFailed() {
        Metrics.counter("zproj.faultins", node.and("outcome", "failed")).increment();
    }

    /** A refresh brought {@code bytes} (0 and {@code ok}: it was up to date). */
    void refreshed(boolean ok, long bytes) {
        Metrics.counter("zproj.refreshes", node.and("outcome", ok ? "ok" : "failed")).increment();
        Metrics.counter("zproj.refresh.bytes", node).increment(bytes);
    }

    /**
     * A write-back to {@code replica} ended; the first one seen registers that replica's lag
     * gauge ({@code lagSeconds}: how long it has lacked a snapshot taken here).
     */
    void wroteBack(InetSocketAddress replica, Outcome outcome, long bytes, ToDoubleFunction<InetSocketAddress> lagSeconds) {
        String r = Addresses.format(replica);
        Metrics.counter("zproj.writebacks", node.and("replica", r).and("outcome", outcome.word())).increment();
        Metrics.counter("zproj.writeback.bytes", node.and("replica", r)).increment(bytes);
        if (replicasSeen.add(replica)) {
            gauges.add(Gauge.builder("zproj.writeback.lag.seconds", replica, lagSeconds)
                    .description("how long the replica has lacked a snapshot taken here (0: it has them all)")
                    .tags(node.and("replica", r)).strongReference(true).register(Metrics.globalRegistry));
        }
    }

    void conflicted() {
        Metrics.counter("zproj.conflicts", node).increment();
    }

    void evicted() {
        Metrics.counter("zproj.evictions", node).increment();
    }

    @Override
    public void close() {
        TransportMeters.remove(gauges);
        Metrics.globalRegistry.remove(faultInDuration);
    }
}
