package io.zproj.server.testing;

import io.zproj.server.ReplicaServer;
import io.zproj.server.ServerConfig;
import io.zproj.transport.Transport;
import io.zproj.transport.TransportConfig;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.ReceiveOptions;
import io.zproj.zfs.SendStream;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Snapshots;
import io.zproj.zfs.Zfs;
import io.zproj.zfs.testing.TestPool;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A mini cluster for {@code *IT} tests: {@code n} real replica servers on loopback, each
 * serving its own root ({@code <pool>/srv<i>}) in one real zfs-fuse test pool, plus a client
 * root ({@code <pool>/client}). Everything is torn down by {@link #close()}.
 */
public final class TestCluster implements AutoCloseable {

    /** Writes a project's files into its mounted dataset. */
    @FunctionalInterface
    public interface Content {
        void write(Path dir) throws IOException;
    }

    private final TestPool pool;
    private final Transport transport;
    private final List<ReplicaServer> servers = new ArrayList<>();
    private final List<InetSocketAddress> addresses = new ArrayList<>();
    private List<URI> etcd = List.of();

    private TestCluster(TestPool pool, Transport transport) {
        this.pool = pool;
        this.transport = transport;
    }

    /** Starts {@code n} servers on a new pool of {@code poolBytes}. */
    public static TestCluster start(int n, long poolBytes, TransportConfig config) throws IOException {
        return start(n, poolBytes, config, List.of());
    }

    /** Starts {@code n} servers that publish themselves and their projects to etcd at {@code etcd}. */
    public static TestCluster start(int n, long poolBytes, TransportConfig config, List<URI> etcd) throws IOException {
        TestPool pool = TestPool.create(poolBytes);
        TestCluster cluster = new TestCluster(pool, Transport.create(config));
        cluster.etcd = etcd;
        try {
            pool.bridge().createDataset(pool.dataset("client"), DatasetProperties.create());
            for (int i = 0; i < n; i++) {
                pool.bridge().createDataset(cluster.root(i), DatasetProperties.create());
                cluster.servers.add(null);
                cluster.addresses.add(null);
                cluster.startServer(i, new InetSocketAddress("127.0.0.1", 0));
            }
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public static TestCluster start(int n) throws IOException {
        return start(n, 512L << 20, TransportConfig.defaults());
    }

    private void startServer(int i, InetSocketAddress listen) throws IOException {
        ServerConfig config = ServerConfig.of(root(i), listen).withName("srv" + i)
                .withStateDir(pool.dir().resolve("state-srv" + i)).withRescan(Duration.ofSeconds(60))
                .withEtcd(etcd, Optional.empty());
        ReplicaServer server = ReplicaServer.start(zfs(), transport, config, Clock.systemUTC());
        servers.set(i, server);
        addresses.set(i, server.address());
    }

    /** Stops server {@code i} as a crash would look to its clients: connections closed mid-stream. */
    public void stop(int i) {
        ReplicaServer s = servers.get(i);
        if (s != null) {
            s.close();
            servers.set(i, null);
        }
    }

    /** Starts server {@code i} again on its old port. */
    public void restart(int i) throws IOException {
        stop(i);
        startServer(i, addresses.get(i));
    }

    public Zfs zfs() {
        return pool.bridge();
    }

    public TestPool pool() {
        return pool;
    }

    public Transport transport() {
        return transport;
    }

    public ReplicaServer server(int i) {
        return servers.get(i);
    }

    public InetSocketAddress address(int i) {
        return addresses.get(i);
    }

    public List<InetSocketAddress> addresses() {
        return List.copyOf(addresses);
    }

    /** Server {@code i}'s root dataset. */
    public DatasetName root(int i) {
        return pool.dataset("srv" + i);
    }

    /** The client's root dataset. */
    public DatasetName clientRoot() {
        return pool.dataset("client");
    }

    /** Mounts a dataset at a path of its own under the pool's temp dir. */
    public Path mount(DatasetName ds) throws IOException {
        Path mnt = pool.dir().resolve("mnt").resolve(ds.value().replace('/', '_'));
        zfs().mount(ds, mnt);
        return mnt;
    }

    /** A file of a project as replica {@code i}'s newest data has it, or empty (mounted for the look, then unmounted). */
    public java.util.Optional<String> readOnReplica(int i, ProjectId id, String file) throws IOException {
        DatasetName ds = root(i).child(id);
        Path m = mount(ds);
        try {
            Path f = m.resolve(file);
            return java.nio.file.Files.exists(f) ? java.util.Optional.of(java.nio.file.Files.readString(f))
                    : java.util.Optional.empty();
        } finally {
            zfs().unmount(ds);
        }
    }

    /** The tree of a dataset, described for comparison (mounted for the look, then unmounted). */
    public java.util.Map<String, String> tree(DatasetName ds) throws IOException {
        return io.zproj.zfs.testing.Trees.describe(zfs(), ds,
                pool.dir().resolve("view").resolve(ds.value().replace('/', '_')));
    }

    /**
     * Creates a project on server {@code first} with {@code content}, snapshots it, and
     * replicates it to the {@code others} with a local send and receive.
     */
    public ProjectId seed(Content content, int first, int... others) throws IOException {
        ProjectId id = ProjectId.random();
        DatasetName ds = root(first).child(id);
        zfs().createDataset(ds, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
        content.write(mount(ds));
        zfs().unmount(ds);
        Snapshot snap = zfs().snapshot(ds.snapshot(Snapshots.zprojName(Clock.systemUTC())));
        for (int other : others) {
            replicate(snap, Optional.empty(), root(other).child(id));
        }
        rescanAll();
        return id;
    }

    /** Makes every running server's catalog current (as its periodic rescan would). */
    public void rescanAll() throws IOException {
        for (ReplicaServer s : servers) {
            if (s != null) {
                s.rescan();
            }
        }
    }

    /** Copies {@code snap} (incrementally from {@code base}) into {@code target} with a local send and receive. */
    public Snapshot replicate(Snapshot snap, Optional<Snapshot> base, DatasetName target) throws IOException {
        try (SendStream send = zfs().send(snap.name(), base.map(Snapshot::name))) {
            Snapshot got = zfs().receive(target, send.stream(), ReceiveOptions.defaults());
            send.finish();
            return got;
        }
    }

    @Override
    public void close() throws IOException {
        for (int i = 0; i < servers.size(); i++) {
            stop(i);
        }
        transport.close();
        pool.close();
    }
}
