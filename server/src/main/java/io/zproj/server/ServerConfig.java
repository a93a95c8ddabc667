package io.zproj.server;

import io.zproj.zfs.DatasetName;
import io.zproj.zfs.KeepPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * A replica server's settings.
 *
 * @param root     the dataset whose children {@code <root>/<uuid>} are the projects served; must exist
 * @param listen   where to listen (port 0 picks one)
 * @param stateDir where the catalog lives (default {@code /var/lib/zproj/server-<root>})
 * @param name     the server's name in handshakes and logs (default {@code host:port})
 * @param rescan   how often the catalog is reconciled with ZFS (default 60 s; 1 s to 1 h)
 * @param keep     which zproj snapshots of a project to keep after each write-back (foreign ones always stay)
 * @param holdMaxAge how long the snapshot a peer is based on stays held after that peer's last
 *                 transfer of the project (default 30 days; at least 1 minute): a peer gone for
 *                 longer lets go, and its copy is fetched again in full if it ever returns
 * @param peers    the other replicas: at every rescan, each project this server holds is sent to
 *                 a peer that lacks it or is behind (default none)
 * @param copies   how many replicas (this one and its peers) should hold every project; fewer is
 *                 reported after each catch-up (default 0: not checked)
 * @param allow    an allow list narrowing which client names may touch which projects (see
 *                 {@link io.zproj.transport.Access}); default none: every client, every project
 * @param etcd     etcd endpoints to publish this server and its projects to (default none: clients
 *                 list the server themselves)
 * @param advertise the address clients dial, as published in etcd (default: the bound listen address)
 */
public record ServerConfig(DatasetName root, InetSocketAddress listen, Path stateDir, String name, Duration rescan,
        KeepPolicy keep, Duration holdMaxAge, List<InetSocketAddress> peers, int copies, Optional<Path> allow,
        List<URI> etcd, Optional<InetSocketAddress> advertise) {

    /** The default {@link #holdMaxAge}. */
    public static final Duration DEFAULT_HOLD_MAX_AGE = Duration.ofDays(30);

    public ServerConfig {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rescan, "rescan");
        Objects.requireNonNull(keep, "keep");
        Objects.requireNonNull(holdMaxAge, "holdMaxAge");
        peers = List.copyOf(peers);
        Objects.requireNonNull(allow, "allow");
        etcd = List.copyOf(etcd);
        Objects.requireNonNull(advertise, "advertise");
        if (copies < 0 || copies > 1 + peers.size()) {
            throw new IllegalArgumentException("copies must be between 0 and 1 + the number of peers ("
                    + (1 + peers.size()) + "), was " + copies);
        }
        if (holdMaxAge.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("hold max age must be at least 1 minute, was " + holdMaxAge);
        }
        if (rescan.compareTo(Duration.ofSeconds(1)) < 0 || rescan.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("rescan must be between 1 s and 1 h, was " + rescan);
        }
    }

    /** The default state directory for a root. */
    public static Path defaultStateDir(DatasetName root) {
        return Path.of("/var/lib/zproj", "server-" + root.value().replace('/', '_'));
    }

    public static ServerConfig of(DatasetName root, InetSocketAddress listen) {
        return new ServerConfig(root, listen, defaultStateDir(root),
                listen.getHostString() + ":" + listen.getPort(), Duration.ofSeconds(60), KeepPolicy.DEFAULT,
                DEFAULT_HOLD_MAX_AGE, List.of(), 0, Optional.empty(), List.of(), Optional.empty());
    }

    public ServerConfig withStateDir(Path dir) {
        return new ServerConfig(root, listen, dir, name, rescan, keep, holdMaxAge, peers, copies, allow, etcd, advertise);
    }

    public ServerConfig withName(String newName) {
        return new ServerConfig(root, listen, stateDir, newName, rescan, keep, holdMaxAge, peers, copies, allow, etcd, advertise);
    }

    public ServerConfig withKeep(KeepPolicy policy) {
        return new ServerConfig(root, listen, stateDir, name, rescan, policy, holdMaxAge, peers, copies, allow, etcd, advertise);
    }

    public ServerConfig withRescan(Duration interval) {
        return new ServerConfig(root, listen, stateDir, name, interval, keep, holdMaxAge, peers, copies, allow, etcd, advertise);
    }

    public ServerConfig withHoldMaxAge(Duration age) {
        return new ServerConfig(root, listen, stateDir, name, rescan, keep, age, peers, copies, allow, etcd, advertise);
    }

    public ServerConfig withPeers(List<InetSocketAddress> replicas) {
        return new ServerConfig(root, listen, stateDir, name, rescan, keep, holdMaxAge, replicas, copies, allow, etcd, advertise);
    }

    public ServerConfig withAllowList(Path file) {
        return new ServerConfig(root, listen, stateDir, name, rescan, keep, holdMaxAge, peers, copies,
                Optional.of(file), etcd, advertise);
    }

    /** Publishes this server to etcd at {@code endpoints}, dialed at {@code at} (empty: the listen address). */
    public ServerConfig withEtcd(List<URI> endpoints, Optional<InetSocketAddress> at) {
        return new ServerConfig(root, listen, stateDir, name, rescan, keep, holdMaxAge, peers, copies, allow,
                endpoints, at);
    }

    public ServerConfig withCopies(int n) {
        return new ServerConfig(root, listen, stateDir, name, rescan, keep, holdMaxAge, peers, n, allow, etcd, advertise);
    }
}
