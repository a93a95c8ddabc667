package io.zproj.cache;

import io.zproj.zfs.DatasetName;
import io.zproj.zfs.KeepPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A client node's cache settings.
 *
 * @param cacheRoot    the local dataset under which faulted-in projects live as {@code <cacheRoot>/<uuid>}
 * @param stateDir     where the cache's state (RocksDB) lives; backing mounts go under {@code <stateDir>/mnt}
 * @param servers      the replica servers (none with {@code etcd}: the servers publish themselves there)
 * @param listRefresh  how often the project list is refreshed from the servers (default 10 s)
 * @param freshness    how long a project's newest-snapshot check is trusted before asking again (default 5 s)
 * @param writeBack    how often projects with local changes are written back (default 30 s)
 * @param keep         which local zproj snapshots to keep after a write-back (never one a replica is at)
 * @param cacheSize    the most bytes the cached projects may use; least recently used clean
 *                     projects are evicted above it (0: no limit, the default)
 */
public record CacheConfig(DatasetName cacheRoot, Path stateDir, List<InetSocketAddress> servers,
        Duration listRefresh, Duration freshness, Duration writeBack, KeepPolicy keep, long cacheSize, int maxMounted,
        List<java.net.URI> etcd) {

    public CacheConfig {
        Objects.requireNonNull(cacheRoot, "cacheRoot");
        Objects.requireNonNull(stateDir, "stateDir");
        servers = List.copyOf(servers);
        etcd = List.copyOf(etcd);
        Objects.requireNonNull(listRefresh, "listRefresh");
        Objects.requireNonNull(freshness, "freshness");
        Objects.requireNonNull(keep, "keep");
        if (cacheSize < 0) {
            throw new IllegalArgumentException("cache size must be >= 0, was " + cacheSize);
        }
        if (maxMounted < 1 || maxMounted > 100_000) {
            throw new IllegalArgumentException("the most mounted projects must be between 1 and 100000, was "
                    + maxMounted);
        }
        if (writeBack.compareTo(Duration.ofMillis(100)) < 0 || writeBack.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("write-back interval must be between 100 ms and 1 day, was " + writeBack);
        }
    }

    /** The default bound on mounted projects: half of what zfs-fuse can mount, leaving room for browsing and servers. */
    public static final int DEFAULT_MAX_MOUNTED = 500;

    public static CacheConfig of(DatasetName cacheRoot, Path stateDir, List<InetSocketAddress> servers) {
        return new CacheConfig(cacheRoot, stateDir, servers, Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(30), KeepPolicy.DEFAULT, 0, DEFAULT_MAX_MOUNTED, List.of());
    }

    /** Follows the fleet in etcd at {@code endpoints} instead of polling the listed servers. */
    public CacheConfig withEtcd(List<java.net.URI> endpoints) {
        return new CacheConfig(cacheRoot, stateDir, servers, listRefresh, freshness, writeBack, keep, cacheSize, maxMounted,
                endpoints);
    }

    public CacheConfig withFreshness(Duration d) {
        return new CacheConfig(cacheRoot, stateDir, servers, listRefresh, d, writeBack, keep, cacheSize, maxMounted, etcd);
    }

    public CacheConfig withKeep(KeepPolicy policy) {
        return new CacheConfig(cacheRoot, stateDir, servers, listRefresh, freshness, writeBack, policy, cacheSize, maxMounted, etcd);
    }

    public CacheConfig withCacheSize(long bytes) {
        return new CacheConfig(cacheRoot, stateDir, servers, listRefresh, freshness, writeBack, keep, bytes, maxMounted, etcd);
    }

    public CacheConfig withMaxMounted(int n) {
        return new CacheConfig(cacheRoot, stateDir, servers, listRefresh, freshness, writeBack, keep, cacheSize, n, etcd);
    }

    public CacheConfig withWriteBack(Duration d) {
        return new CacheConfig(cacheRoot, stateDir, servers, listRefresh, freshness, d, keep, cacheSize, maxMounted, etcd);
    }

    /** The directory under which projects' datasets are mounted. */
    public Path mountBase() {
        return stateDir.resolve("mnt");
    }
}
