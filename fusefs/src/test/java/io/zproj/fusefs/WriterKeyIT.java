package io.zproj.fusefs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zproj.cache.CacheConfig;
import io.zproj.cache.ProjectCache;
import io.zproj.server.testing.TestCluster;
import io.zproj.server.fleet.LocalEtcd;
import io.zproj.transport.TransportConfig;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.zproj.zfs.testing.Await;

/**
 * One writer per project, with two real mounts following a real etcd: the host that opens a
 * project first writes it, the other serves it read-only (EROFS, through the native mount and
 * the kernel alike) and sees the writer's changes after each write-back; the writer lets go and
 * the other takes it, from the newest snapshot.
 */
class WriterKeyIT {

    private static LocalEtcd etcd;
    private static TestCluster cluster;
    private final List<Host> hosts = new ArrayList<>();

    private record Host(String name, ProjectCache cache, ProjectsMount mount, Path mountpoint) {
        Path dir(ProjectId id) {
            return mountpoint.resolve(id.toString());
        }

        void stop() {
            mount.close();
            cache.close();
        }
    }

    @BeforeAll
    static void start() throws IOException {
        etcd = LocalEtcd.launch();
        cluster = TestCluster.start(2, 512L << 20, TransportConfig.defaults(), etcd.endpoints());
    }

    @AfterAll
    static void stop() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    @AfterEach
    void stopHosts() {
        for (Host h : hosts) {
            h.stop();
        }
        hosts.clear();
    }

    private Host host(String name) throws IOException {
        DatasetName root = cluster.pool().dataset("client-" + name);
        if (!cluster.zfs().exists(root)) {
            cluster.zfs().createDataset(root, DatasetProperties.create());
        }
        CacheConfig config = CacheConfig.of(root, cluster.pool().dir().resolve("state-" + name), List.of())
                .withEtcd(etcd.endpoints()).withWriteBack(Duration.ofDays(1)); // write-back when the test asks
        ProjectCache cache = ProjectCache.open(cluster.zfs(), cluster.transport(), "host-" + name, config,
                Clock.systemUTC());
        Path mp = cluster.pool().dir().resolve("projects-" + name);
        Host h = new Host("host-" + name, cache, ProjectsMount.mount(cache, mp, config.mountBase()), mp);
        hosts.add(h);
        return h;
    }


    private static void open(Host h, ProjectId id) throws Exception {
        Await.within(5, h.name() + " lists " + id, () -> Files.exists(h.dir(id)));
        try (var s = Files.list(h.dir(id))) {
            s.count();
        }
        h.cache().settle();
    }

    /** A project with base.txt on both replicas, listed by both. */
    private static ProjectId seeded() throws Exception {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("base.txt"), "base"), 0, 1);
        cluster.rescanAll();
        return id;
    }

    /** A host whose mount has {@code id} open (fetched and mounted), in that order. */
    private Host opened(String name, ProjectId id) throws Exception {
        Host h = host(name);
        open(h, id);
        return h;
    }

    private static String state(Host h, ProjectId id) {
        return h.cache().status().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow().state();
    }

    /**
     * The mount's listing is made once per change of the project set (the mount keeps it
     * between changes): a project the servers publish after the mount started is listed, from
     * the watch, without anyone asking for a refresh.
     */
    @Test
    void aProjectPublishedAfterTheMountStarted_isListed() throws Exception {
        Host a = host("a");
        List<String> before = names(a.mountpoint());
        ProjectId id = seeded();
        Await.within(10, "the listing of " + a.mountpoint() + " shows " + id,
                () -> names(a.mountpoint()).contains(id.toString()));
        assertThat(names(a.mountpoint())).containsAll(before);
        assertThat(cluster.zfs().exists(cluster.pool().dataset("client-a").child(id)))
                .as("listed, not fetched").isFalse();
    }

    private static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    /**
     * A read-only copy that is in use when the writer's change arrives is left behind, and is
     * refreshed once it is free, without another change in the fleet to set it off (with etcd,
     * refreshes otherwise run only on changes).
     */
    @Test
    void aCopyInUseWhenAChangeArrives_isRefreshedOnceFree_withoutAnotherChange() throws Exception {
        ProjectId id = seeded();
        Host a = opened("a", id);
        Host b = opened("b", id);
        try (java.nio.channels.FileChannel held = java.nio.channels.FileChannel.open(b.dir(id).resolve("base.txt"))) {
            Files.writeString(a.dir(id).resolve("from-a.txt"), "written on a");
            assertThat(a.cache().sync(Optional.of(id)).ok()).isTrue();
            Await.within(15, "b leaves its copy in use behind", () -> b.cache().status().stream()
                    .anyMatch(s -> s.id().equals(id) && s.behind().isPresent()));
            assertThat(b.dir(id).resolve("from-a.txt")).doesNotExist();
        }
        Await.within(20, "b refreshes its copy once it is free", () -> Files.exists(b.dir(id).resolve("from-a.txt")));
        assertThat(Files.readString(b.dir(id).resolve("from-a.txt"))).isEqualTo("written on a");
    }

    @Test
    void theFirstHostWrites_theOtherIsReadOnly_seesTheWrites_andTakesOverWhenLetGo() throws Exception {
        ProjectId id = seeded();
        Host a = opened("a", id);
        Host b = opened("b", id);
        assertThat(state(a, id)).isEqualTo("clean");
        assertThat(state(b, id)).isEqualTo("read-only: host-a writes it");

        Files.writeString(a.dir(id).resolve("from-a.txt"), "written on a");
        assertThatThrownBy(() -> Files.writeString(b.dir(id).resolve("from-b.txt"), "written on b"))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only file system");
        assertThat(b.dir(id).resolve("from-b.txt")).doesNotExist();

        ProjectCache.SyncReport synced = a.cache().sync(Optional.of(id));
        assertThat(synced.ok()).as(String.join("\n", synced.lines())).isTrue();
        Await.within(15, "b sees a's write-back", () -> Files.exists(b.dir(id).resolve("from-a.txt")));
        assertThat(Files.readString(b.dir(id).resolve("from-a.txt"))).isEqualTo("written on a");

        assertThatThrownBy(() -> b.cache().take(id)).hasMessageContaining("is written by host-a");
        assertThat(a.cache().release(id)).contains("released");
        assertThat(b.cache().take(id)).contains("this host writes " + id + " now");
        Files.writeString(b.dir(id).resolve("from-b.txt"), "written on b");
        assertThatThrownBy(() -> Files.writeString(a.dir(id).resolve("again.txt"), "a again"))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only file system");
        assertThat(state(a, id)).isEqualTo("read-only: host-b writes it");
    }

    @Test
    void aWriterThatLostItsKey_isRefusedByTheServers_nothingChanges_andItsWorkIsKeptAside() throws Exception {
        ProjectId id = seeded();
        Host a = opened("a", id);
        assertThat(state(a, id)).isEqualTo("clean");
        Files.writeString(a.dir(id).resolve("late.txt"), "written after the key was lost");
        // the key goes behind a's back, as when its lease expires while it is paused
        try (io.etcd.jetcd.Client etcdClient = io.etcd.jetcd.Client.builder().endpoints(etcd.endpoint()).build()) {
            etcdClient.getKVClient().delete(io.etcd.jetcd.ByteSequence.from(
                    io.zproj.transport.fleet.FleetKeys.writer(id.uuid()), java.nio.charset.StandardCharsets.UTF_8))
                    .get(5, java.util.concurrent.TimeUnit.SECONDS);
        }
        List<Long> heads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            heads.add(cluster.zfs().newestSnapshot(cluster.root(i).child(id)).orElseThrow().guid());
        }
        ProjectCache.SyncReport r = a.cache().sync(Optional.of(id));
        assertThat(r.ok()).isFalse();
        assertThat(String.join("\n", r.lines())).contains("does not hold the writer key of " + id);
        for (int i = 0; i < 2; i++) {
            assertThat(cluster.zfs().newestSnapshot(cluster.root(i).child(id)).orElseThrow().guid())
                    .as("nothing changed on replica " + i).isEqualTo(heads.get(i));
        }
        assertThat(state(a, id)).isEqualTo("conflicted");
        assertThat(Files.readString(a.dir(id).resolve("late.txt"))).isEqualTo("written after the key was lost");
    }

    @Test
    void aHostThatComesBackWithUnsyncedChanges_afterAnotherTookItsKey_keepsThemAsAConflict_readOnly() throws Exception {
        ProjectId id = seeded();
        Host a = opened("a", id);
        Files.writeString(a.dir(id).resolve("unsynced.txt"), "made while a held the key");
        try (io.etcd.jetcd.Client etcdClient = io.etcd.jetcd.Client.builder().endpoints(etcd.endpoint()).build()) {
            etcdClient.getKVClient().delete(io.etcd.jetcd.ByteSequence.from(
                    io.zproj.transport.fleet.FleetKeys.writer(id.uuid()), java.nio.charset.StandardCharsets.UTF_8))
                    .get(5, java.util.concurrent.TimeUnit.SECONDS); // a's lease ran out while it was away
        }
        Host b = host("b");
        open(b, id);
        assertThat(state(b, id)).isEqualTo("clean"); // b writes it now
        a.stop(); // its write-back at shutdown is refused by fencing; the change stays in a's pool
        hosts.remove(a);
        Host back = host("a"); // the same cache root and state: a comes back
        open(back, id);
        assertThat(state(back, id)).isEqualTo("conflicted");
        assertThat(back.cache().status().stream().filter(st -> st.id().equals(id)).findFirst().orElseThrow()
                .conflict().orElseThrow()).contains("host-b writes it now");
        assertThat(Files.readString(back.dir(id).resolve("unsynced.txt"))).isEqualTo("made while a held the key");
        assertThatThrownBy(() -> Files.writeString(back.dir(id).resolve("more.txt"), "more"))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only file system");
        for (int i = 0; i < 2; i++) {
            Path check = cluster.mount(cluster.root(i).child(id));
            try {
                assertThat(check.resolve("unsynced.txt")).as("never reached replica " + i).doesNotExist();
            } finally {
                cluster.zfs().unmount(cluster.root(i).child(id));
            }
        }
    }

    @Test
    void aWriterThatStops_letsGo_andTheNextAccessElsewhereTakesIt() throws Exception {
        ProjectId id = seeded();
        Host a = opened("a", id);
        Host b = opened("b", id);
        Files.writeString(a.dir(id).resolve("last.txt"), "a's last words");
        a.stop(); // writes back, then its lease is revoked: the key goes
        hosts.remove(a);
        Await.within(15, "b sees a's last write-back", () -> Files.exists(b.dir(id).resolve("last.txt")));
        Await.within(5, "b knows a let go", () -> !state(b, id).contains("host-a writes it"));
        Await.within(15, "an access through b's namespace takes it", () -> {
            b.cache().open(id); // what the FUSE daemon asks on a lookup or a passthrough access
            return state(b, id).equals("clean");
        });
        Files.writeString(b.dir(id).resolve("b.txt"), "b writes now");
        assertThat(Files.readString(b.dir(id).resolve("last.txt"))).isEqualTo("a's last words");
    }
}
