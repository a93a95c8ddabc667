package io.zproj.fusefs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zproj.cache.CacheConfig;
import io.zproj.zfs.MountTable;
import io.zproj.cache.ProjectCache;
import io.zproj.server.ReplicaServer;
import io.zproj.server.testing.TestCluster;
import io.zproj.zfs.DatasetBusyException;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

/**
 * The native path on real zfs-fuse and real FUSE: a local project is its own ZFS mount over
 * {@code /projects/<uuid>}; a process that entered before keeps the passthrough, which acts as
 * it and matches a plain dataset; ZFS, not the daemon, says what changed.
 */
class NativeMountIT {

    private static TestCluster cluster;
    /** Mounts (cache, namespace) started by a test, stopped after it. */
    private final List<Client> clients = new ArrayList<>();

    /** One client node: its cache root, state, mountpoint, cache and namespace mount. */
    private record Client(CacheConfig config, Path mountpoint, ProjectCache cache, ProjectsMount mount) {
        Path dir(ProjectId id) {
            return mountpoint.resolve(id.toString());
        }

        Path backing(ProjectId id) {
            return config.mountBase().resolve(id.toString());
        }

        void stop() {
            mount.close();
            cache.close();
        }
    }

    @BeforeAll
    static void cluster() throws IOException {
        cluster = TestCluster.start(2);
    }

    @AfterAll
    static void stopCluster() throws IOException {
        cluster.close();
    }

    @AfterEach
    void stopClients() {
        for (Client c : clients) {
            c.stop();
        }
        clients.clear();
    }

    private Client start(String name, int maxMounted) throws IOException {
        return start(name, maxMounted, Duration.ofDays(1)); // write-back only when a test asks
    }

    private Client start(String name, int maxMounted, Duration writeBack) throws IOException {
        DatasetName root = name.equals("a") ? cluster.clientRoot() : cluster.pool().dataset("client-" + name);
        if (!cluster.zfs().exists(root)) {
            cluster.zfs().createDataset(root, DatasetProperties.create());
        }
        CacheConfig config = CacheConfig.of(root, cluster.pool().dir().resolve("state-" + name), cluster.addresses())
                .withMaxMounted(maxMounted).withWriteBack(writeBack);
        ProjectCache cache = ProjectCache.open(cluster.zfs(), cluster.transport(), "native-it-" + name, config,
                Clock.systemUTC());
        Path mp = cluster.pool().dir().resolve("projects-" + name);
        Client c = new Client(config, mp, cache, ProjectsMount.mount(cache, mp, config.mountBase()));
        clients.add(c);
        return c;
    }

    private Client start(String name) throws IOException {
        return start(name, CacheConfig.DEFAULT_MAX_MOUNTED);
    }

    private static ProjectId seed(String file, String content) throws IOException {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve(file), content), 0, 1);
        return id;
    }

    /** A new project with one file (base.txt), in the lists of both clients, fetched by neither yet. */
    private static ProjectId listedOnBoth(Client first, Client second) throws IOException {
        ProjectId id = seed("base.txt", "base");
        first.cache().refreshList();
        second.cache().refreshList();
        return id;
    }

    /** A new project with one file, faulted in on {@code c} and mounted natively. */
    private static ProjectId fetched(Client c, String file, String content) throws Exception {
        ProjectId id = seed(file, content);
        c.cache().refreshList();
        faultIn(c, id);
        return id;
    }

    /** A new project with file {@code f}, fetched by {@code c}, then {@code c} stopped (its daemon gone). */
    private ProjectId fetchedThenStopped(Client c) throws Exception {
        ProjectId id = fetched(c, "f", "f");
        c.stop();
        clients.remove(c);
        return id;
    }

    /** Writes the project back from {@code c}; every replica must ack. */
    private static void synced(Client c, ProjectId id) {
        ProjectCache.SyncReport r = c.cache().sync(Optional.of(id));
        assertThat(r.ok()).as(String.join("\n", r.lines())).isTrue();
    }

    /**
     * Writes a file through {@code from} and writes it back; then {@code to} lists the servers,
     * which refreshes its copy unless it is in use.
     */
    private static void writtenBackAndListed(Client from, Client to, ProjectId id, String file, String content)
            throws IOException {
        Files.writeString(from.dir(id).resolve(file), content);
        synced(from, id);
        cluster.rescanAll();
        to.cache().refreshList();
    }

    /** Faults the project in through the namespace and waits for its native mount. */
    private static void faultIn(Client c, ProjectId id) throws Exception {
        try (var s = Files.list(c.dir(id))) {
            s.count();
        }
        c.cache().settle();
        assertThat(c.cache().isNative(id)).as("native mount of " + id).isTrue();
    }

    private static long device(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:dev")).longValue();
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out.strip();
    }

    // ------------------------------------------------------------------ the native mount

    @Test
    void afterFaultIn_theProjectIsItsOwnZfsMount_nosuidNodev_andASecondProcessLandsOnIt() throws Exception {
        Client c = start("a");
        ProjectId id = seed("hello.txt", "hello");
        c.cache().refreshList();
        faultIn(c, id);
        MountTable.Mount m = MountTable.at(c.dir(id)).orElseThrow();
        assertThat(m.fsType()).isEqualTo("fuse.zfs");
        assertThat(m.source()).isEqualTo(c.config().cacheRoot().child(id).value());
        assertThat(m.has("nosuid")).isTrue();
        assertThat(m.has("nodev")).isTrue();
        assertThat(device(c.dir(id))).isNotEqualTo(device(c.mountpoint())).isEqualTo(device(c.backing(id)));
        assertThat(run(c.mountpoint().getParent(), "sh", "-c", "cd \"$0\" && stat -c %d . && cat hello.txt",
                c.dir(id).toString())).isEqualTo(device(c.backing(id)) + "\nhello");
        assertThat(Files.getPosixFilePermissions(c.config().mountBase()))
                .as("backing mounts are for root only").containsOnly(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                        java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
        assertThat(cluster.zfs().getProperty(c.config().cacheRoot().child(id), "atime")).isEqualTo("off");
        // nodev in effect, not only listed: a device node in a project cannot be opened through it
        assertThat(run(c.dir(id), "sh", "-c", "mknod null c 1 3 && (head -c 1 null 2>&1 || true) && rm null"))
                .contains("Permission denied");
    }

    @Test
    void aProcessThatEnteredBefore_keepsThePassthrough_andItsWritesAreWrittenBack() throws Exception {
        Client c = start("a");
        ProjectId id = seed("old.txt", "old");
        c.cache().refreshList();
        try (Shell sh = Shell.in(c.dir(id))) { // cd into a project not fetched yet: nothing is fetched
            assertThat(cluster.zfs().exists(c.config().cacheRoot().child(id))).isFalse();
            faultIn(c, id);
            assertThat(sh.run("stat -c %d .")).isEqualTo(Long.toString(device(c.mountpoint())));
            assertThat(sh.run("cat old.txt; echo new > new.txt; mkdir sub; echo deep > sub/f; cat sub/f"))
                    .isEqualTo("olddeep");
            assertThat(sh.run("cd \"$PWD\"; stat -c %d .")).as("cd \"$PWD\" moves onto the native mount")
                    .isEqualTo(Long.toString(device(c.backing(id))));
        }
        synced(c, id);
        assertThat(cluster.readOnReplica(0, id, "new.txt")).contains("new\n");
        assertThat(cluster.readOnReplica(1, id, "sub/f")).contains("deep\n");
    }

    @Test
    void passthrough_pathLengthLinksRenamesAndOtherUsers_areAsOnAPlainDataset() throws Exception {
        Client c = start("a");
        ProjectId id = seed("x", "x");
        c.cache().refreshList();
        DatasetName plain = cluster.pool().dataset("plain-" + System.nanoTime());
        cluster.zfs().createDataset(plain, DatasetProperties.create());
        Path plainDir = cluster.mount(plain);
        String script = new String(NativeMountIT.class.getResourceAsStream("/posix-edges.sh").readAllBytes(),
                StandardCharsets.UTF_8);
        try (Shell onPlain = Shell.in(plainDir); Shell passthrough = Shell.in(c.dir(id))) {
            faultIn(c, id);
            String expected = onPlain.run(script);
            assertThat(expected).endsWith("done").contains("longest path: 4095 bytes").contains("open: ok")
                    .contains("after link: f 2, g 2, f's ctime changed: yes");
            assertThat(passthrough.run("stat -c %d .")).isEqualTo(Long.toString(device(c.mountpoint())));
            assertThat(passthrough.run(script)).isEqualTo(expected);
            try (Shell nativePath = Shell.in(c.dir(id))) {
                assertThat(nativePath.run("stat -c %d .")).isEqualTo(Long.toString(device(c.backing(id))));
                assertThat(nativePath.run(script)).isEqualTo(expected);
            }
        } finally {
            cluster.zfs().unmount(plain); // destroyed with the pool (zfs-fuse may call it busy for a moment now)
        }
    }

    // ------------------------------------------------------------------ change detection by ZFS

    @Test
    void aWriteMadeDirectlyInTheBackingMount_isDetected_andWrittenBack() throws Exception {
        Client c = start("a");
        ProjectId id = fetched(c, "f", "f");
        Files.writeString(c.backing(id).resolve("direct.txt"), "not through zproj at all");
        synced(c, id);
        assertThat(cluster.readOnReplica(0, id, "direct.txt")).contains("not through zproj at all");
    }

    @Test
    void aNoOpInterval_makesNoSnapshot_andAnyChangeMakesOne() throws Exception {
        Client c = start("a");
        ProjectId id = fetched(c, "f", "f");
        DatasetName ds = c.config().cacheRoot().child(id);
        int before = cluster.zfs().listSnapshots(ds).size();
        Files.readString(c.dir(id).resolve("f")); // reading is not a change (atime=off)
        assertThat(c.cache().sync(Optional.of(id)).lines()).allMatch(l -> l.contains("up to date"));
        assertThat(cluster.zfs().listSnapshots(ds)).hasSize(before);
        run(c.dir(id), "chmod", "600", "f"); // metadata only
        assertThat(c.cache().sync(Optional.of(id)).ok()).isTrue();
        assertThat(cluster.zfs().listSnapshots(ds)).hasSize(before + 1);
        assertThat(c.cache().sync(Optional.of(id)).lines()).allMatch(l -> l.contains("up to date"));
        assertThat(cluster.zfs().listSnapshots(ds)).hasSize(before + 1);
    }

    @Test
    void aChangeMadeWhileTheDaemonWasDown_evenWithItsStateDeleted_isWrittenBackAfterRestart() throws Exception {
        Client c = start("a");
        ProjectId id = fetchedThenStopped(c);
        DatasetName ds = c.config().cacheRoot().child(id);
        Path m = cluster.mount(ds);
        Files.writeString(m.resolve("offline.txt"), "written while no daemon ran");
        cluster.zfs().unmount(ds);
        // ZFS is the truth: with the daemon's state directory gone, the project is found again, and found changed.
        try (var tree = Files.walk(c.config().stateDir())) {
            tree.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertThat(c.config().stateDir()).doesNotExist();
        Client again = start("a");
        assertThat(again.cache().status()).extracting(p -> p.id()).contains(id);
        assertThat(again.cache().isDirty(id)).as("ZFS says it changed").isTrue();
        synced(again, id);
        assertThat(cluster.readOnReplica(1, id, "offline.txt")).contains("written while no daemon ran");
    }

    /** A stop between a copy's receive and its canmount=noauto left it mountable by a pool import: the next start fixes it. */
    @Test
    void aCopyLeftCanmountOn_isNoautoAfterTheNextStart() throws Exception {
        Client c = start("a");
        ProjectId id = fetchedThenStopped(c);
        DatasetName ds = c.config().cacheRoot().child(id);
        cluster.zfs().setProperty(ds, "canmount", "on");
        Client again = start("a");
        assertThat(cluster.zfs().getProperty(ds, "canmount")).isEqualTo("noauto");
        assertThat(Files.readString(again.dir(id).resolve("f"))).isEqualTo("f");
    }

    /**
     * Each replica's base is held in ZFS (no pruning here can take it) and named in the copy's
     * {@code zproj:bases}; a snapshot one replica lacks is found after a restart without the state
     * directory, shown as unsynced, and written to it by the periodic write-back.
     */
    @Test
    void eachReplicasBase_isHeldInZfs_andASnapshotOneReplicaLacks_isFoundAfterARestartWithoutState() throws Exception {
        Client c = start("a");
        ProjectId id = fetched(c, "f", "f");
        DatasetName ds = c.config().cacheRoot().child(id);
        Snapshot head = cluster.zfs().newestSnapshot(ds).orElseThrow();
        String r0 = io.zproj.transport.Addresses.format(cluster.address(0));
        String r1 = io.zproj.transport.Addresses.format(cluster.address(1));
        io.zproj.zfs.testing.Await.within(10, "both replicas based on " + head,
                () -> bases(ds).equals(java.util.Map.of(r0, head.guid(), r1, head.guid())));
        assertThat(userrefs(head)).as("held once, for both").isEqualTo(1);
        assertThatThrownBy(() -> cluster.zfs().destroySnapshot(head.name())).isInstanceOf(DatasetBusyException.class);

        cluster.stop(1);
        Files.writeString(c.dir(id).resolve("late.txt"), "acked by one replica only");
        assertThat(c.cache().sync(Optional.of(id)).ok()).isFalse();
        Snapshot newest = cluster.zfs().newestSnapshot(ds).orElseThrow();
        io.zproj.zfs.testing.Await.within(10, r0 + " moved to " + newest,
                () -> bases(ds).equals(java.util.Map.of(r0, newest.guid(), r1, head.guid())));
        assertThat(userrefs(newest)).isEqualTo(1);
        assertThat(userrefs(head)).as(r1 + " is still based on it").isEqualTo(1);

        c.stop();
        clients.remove(c);
        try (var tree = Files.walk(c.config().stateDir())) {
            tree.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        cluster.restart(1);
        Client again = start("a", CacheConfig.DEFAULT_MAX_MOUNTED, Duration.ofMillis(200));
        io.zproj.zfs.testing.Await.within(30, "the periodic write-back brings " + r1 + " to " + newest,
                () -> bases(ds).equals(java.util.Map.of(r0, newest.guid(), r1, newest.guid())));
        assertThat(cluster.readOnReplica(1, id, "late.txt")).contains("acked by one replica only");
        assertThat(userrefs(head)).isZero();
        assertThat(again.cache().status()).filteredOn(p -> p.id().equals(id)).singleElement()
                .satisfies(p -> assertThat(p.state()).isEqualTo("clean"));
        assertThat(again.cache().evict(id)).as("holds do not stop an eviction").isEmpty();
        assertThat(cluster.zfs().exists(ds)).isFalse();
    }

    /** The copy's {@code zproj:bases}: replica -> the GUID of its base (newest entry per replica). */
    private static java.util.Map<String, Long> bases(DatasetName ds) throws IOException {
        String v = cluster.zfs().getProperties(ds, List.of("zproj:bases")).getOrDefault("zproj:bases", "-");
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        java.util.Map<String, Long> since = new java.util.HashMap<>();
        if (!v.equals("-") && !v.equals("none")) {
            for (String item : v.split(" ")) {
                int eq = item.lastIndexOf('=');
                String[] rest = item.substring(eq + 1).split(":");
                String replica = item.substring(0, eq);
                long at = Long.parseLong(rest[2]);
                if (at >= since.getOrDefault(replica, Long.MIN_VALUE)) {
                    since.put(replica, at);
                    out.put(replica, Long.parseUnsignedLong(rest[1]));
                }
            }
        }
        return out;
    }

    private static int userrefs(Snapshot s) throws IOException, InterruptedException {
        return Integer.parseInt(run(cluster.pool().dir(), "zfs", "get", "-H", "-o", "value", "userrefs", s.name().full()).trim());
    }

    // ------------------------------------------------------------------ snapshots to browse

    /**
     * {@code /projects/.snapshots/<uuid>/<name>/}: a cached project's snapshots read as they were,
     * read-only, with each file's permissions; an uncached project's are fetched by browsing;
     * a view is no change and does not stop an eviction.
     */
    @Test
    void snapshots_areBrowsableReadOnly_asTheyWere_withPermissionsKept_andNeverStandInTheWay() throws Exception {
        Client c = start("a");
        Path snapshots = c.mountpoint().resolve(".snapshots");
        ProjectId id = fetched(c, "f", "v1");
        DatasetName ds = c.config().cacheRoot().child(id);
        String first = cluster.zfs().newestSnapshot(ds).orElseThrow().name().name();
        Path dir = c.dir(id);
        Files.writeString(dir.resolve("f"), "v2");
        Files.writeString(dir.resolve("mine"), "nobody's own");
        Files.writeString(dir.resolve("theirs"), "root's own");
        run(dir, "chown", "65534:65534", "mine");
        run(dir, "chmod", "600", "mine", "theirs");
        synced(c, id);
        String second = cluster.zfs().newestSnapshot(ds).orElseThrow().name().name();

        try (var names = Files.list(snapshots.resolve(id.toString()))) {
            assertThat(names.map(p -> p.getFileName().toString())).containsExactly(first, second);
        }
        assertThat(Files.readString(snapshots.resolve(id + "/" + first + "/f"))).isEqualTo("v1");
        assertThat(Files.readString(snapshots.resolve(id + "/" + second + "/f"))).isEqualTo("v2");
        assertThat(Files.exists(snapshots.resolve(id + "/" + first + "/mine"))).isFalse();
        assertThat(Files.readString(dir.resolve("f"))).isEqualTo("v2");
        assertThatThrownBy(() -> Files.writeString(snapshots.resolve(id + "/" + second + "/f"), "v3"))
                .hasMessageContaining("Read-only file system");
        assertThatThrownBy(() -> Files.createDirectory(snapshots.resolve(id + "/made-up")))
                .hasMessageContaining("Read-only file system");
        assertThat(Files.exists(snapshots.resolve(id + "/no-such-snapshot"))).isFalse();
        Path top = snapshots.resolve(id + "/" + second); // entered as root: the test's directories are root's only
        assertThat(run(top, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", "mine"))
                .isEqualTo("nobody's own");
        Process denied = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat",
                "theirs").directory(top.toFile()).redirectErrorStream(true).start();
        assertThat(new String(denied.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("Permission denied");
        assertThat(denied.waitFor()).isNotZero();

        assertThat(c.cache().isDirty(id)).as("browsing is not a change").isFalse();
        ProjectCache.SyncReport again = c.cache().sync(Optional.of(id));
        assertThat(again.lines()).allMatch(l -> l.contains("up to date"));
        assertThat(c.cache().evict(id)).as("a view does not stop an eviction").isEmpty();
        assertThat(cluster.zfs().exists(ds)).isFalse();

        // An uncached project: ls -l of the namespace fetches nothing; browsing its snapshots fetches it.
        ProjectId cold = seed("g", "cold");
        c.cache().refreshList();
        try (var names = Files.list(snapshots)) {
            assertThat(names.map(p -> p.getFileName().toString())).contains(cold.toString());
        }
        assertThat(Files.isDirectory(snapshots.resolve(cold.toString()))).isTrue();
        assertThat(cluster.zfs().exists(c.config().cacheRoot().child(cold))).as("listing fetches nothing").isFalse();
        List<String> coldSnapshots;
        try (var names = Files.list(snapshots.resolve(cold.toString()))) {
            coldSnapshots = names.map(p -> p.getFileName().toString()).toList();
        }
        assertThat(coldSnapshots).hasSize(1);
        assertThat(Files.readString(snapshots.resolve(cold + "/" + coldSnapshots.get(0) + "/g"))).isEqualTo("cold");
    }

    // ------------------------------------------------------------------ refresh

    /** The user's report: an earlier failed lookup on the second mount hid a file it later received. */
    @Test
    void aFileSyncedOnOneMount_isReadableOnTheSecond_afterItsRefresh_regressionStaleKernelEntries() throws Exception {
        Client first = start("a");
        Client second = start("b");
        ProjectId id = listedOnBoth(first, second);
        faultIn(first, id);
        try (Shell entered = Shell.in(second.dir(id))) { // stays on the second mount's FUSE directory
            faultIn(second, id);
            assertThatThrownBy(() -> Files.readString(second.dir(id).resolve("round.txt")))
                    .isInstanceOf(NoSuchFileException.class);
            assertThat(entered.run("cat round.txt")).contains("No such file");
            writtenBackAndListed(first, second, id, "round.txt", "from the first mount"); // refreshes the project
            assertThat(Files.readString(second.dir(id).resolve("round.txt"))).isEqualTo("from the first mount");
            assertThat(run(second.mountpoint(), "ls", "-la", id.toString())).contains("round.txt")
                    .doesNotContain("?");
            assertThat(entered.run("cat round.txt")).isEqualTo("from the first mount");
            assertThat(second.cache().isNative(id)).isTrue();
        }
    }

    @Test
    void aProjectInUse_isNotRefreshedUnderItsUser_statusSaysBehind_andIsRefreshedOnceLeft() throws Exception {
        Client first = start("a");
        Client second = start("b");
        ProjectId id = listedOnBoth(first, second);
        faultIn(first, id);
        faultIn(second, id);
        try (Shell user = Shell.in(second.dir(id))) { // on the native mount: it is busy
            writtenBackAndListed(first, second, id, "later.txt", "later");
            assertThat(user.run("cat later.txt")).contains("No such file");
            assertThat(second.cache().status()).filteredOn(p -> p.id().equals(id)).singleElement()
                    .satisfies(p -> assertThat(p.behind()).contains(1));
        }
        second.cache().refreshList();
        assertThat(Files.readString(second.dir(id).resolve("later.txt"))).isEqualTo("later");
        assertThat(second.cache().status()).filteredOn(p -> p.id().equals(id)).singleElement()
                .satisfies(p -> assertThat(p.behind()).isEmpty());
    }

    @Test
    void aCleanCopyStrandedByPruningOnEveryReplica_isFetchedAgainInFull_andServesTheNewestData() throws Exception {
        Client first = start("a");
        Client second = start("b");
        ProjectId id = listedOnBoth(first, second);
        faultIn(first, id);
        faultIn(second, id);
        Files.writeString(first.dir(id).resolve("later.txt"), "later");
        synced(first, id);
        // The replica the second copy was fetched from holds the snapshot it is based on: pruning cannot remove it
        // there (the other replica, which never served it, may prune it) ...
        int held = 0;
        for (int i = 0; i < 2; i++) {
            Snapshot base = cluster.zfs().listSnapshots(cluster.root(i).child(id)).get(0);
            try {
                cluster.zfs().destroySnapshot(base.name());
            } catch (DatasetBusyException e) {
                held++;
            }
        }
        assertThat(held).isEqualTo(1);
        // ... until the hold goes (as it does once a client stays away longer than --hold-max-age), and then
        // every replica prunes it (a keep grid of all=1m does so within minutes).
        for (int i = 0; i < 2; i++) {
            List<Snapshot> snaps = cluster.zfs().listSnapshots(cluster.root(i).child(id));
            for (Snapshot s : snaps.subList(0, snaps.size() - 1)) {
                cluster.zfs().release(s.name(), ReplicaServer.holdTag("native-it-b"));
                cluster.zfs().destroySnapshot(s.name());
            }
        }
        cluster.rescanAll();
        second.cache().refreshList();
        assertThat(Files.readString(second.dir(id).resolve("later.txt"))).isEqualTo("later");
        second.cache().settle(); // the native mount is made on the mounter thread
        assertThat(second.cache().isNative(id)).isTrue();
        assertThat(cluster.zfs().exists(cluster.pool().dataset("client-b").child(id + "-refetch"))).isFalse();
        assertThat(second.cache().status()).filteredOn(p -> p.id().equals(id)).singleElement()
                .satisfies(p -> assertThat(p.state()).isEqualTo("clean"))
                .satisfies(p -> assertThat(p.conflict()).isEmpty());
        // It is based on the replicas' newest again: its next change goes back incrementally, without a conflict.
        Files.writeString(second.dir(id).resolve("after.txt"), "after");
        synced(second, id);
        assertThat(cluster.readOnReplica(0, id, "after.txt")).contains("after");
    }

    // ------------------------------------------------------------------ eviction, bound, list

    @Test
    void stopping_leavesAProjectInUseMounted_andNamesTheProcess() throws Exception {
        Client c = start("a");
        ProjectId id = fetched(c, "f", "f");
        try (Shell user = Shell.in(c.dir(id))) {
            List<String> busy = c.cache().detachNative(); // the first step of stopping
            assertThat(busy).singleElement().asString().contains(id.toString()).contains("pid " + user.pid())
                    .contains("cwd " + c.dir(id));
            assertThat(MountTable.isMounted(c.dir(id))).isTrue();
            assertThat(user.run("cat f")).isEqualTo("f");
        }
        assertThat(c.cache().detachNative()).isEmpty();
        assertThat(MountTable.isMounted(c.dir(id))).isFalse();
    }

    @Test
    void evictionWithAProcessOnTheFuseDirectoryBeneath_isRefused() throws Exception {
        Client c = start("a");
        ProjectId id = seed("f", "f");
        c.cache().refreshList();
        try (Shell entered = Shell.in(c.dir(id))) { // before the fault-in: on the FUSE directory
            faultIn(c, id);
            assertThat(c.cache().evict(id)).get().asString().contains("in use").contains("pid " + entered.pid());
        }
        assertThat(c.cache().evict(id)).isEmpty();
    }

    @Test
    void evictionWithACwdInside_isRefusedNamingTheProcess_thenSucceedsAfterItLeaves() throws Exception {
        Client c = start("a");
        ProjectId id = fetched(c, "f", "f");
        try (Shell user = Shell.in(c.dir(id))) {
            assertThat(c.cache().evict(id)).get().asString().contains("in use").contains("pid " + user.pid())
                    .contains("cwd " + c.dir(id));
            assertThat(MountTable.isMounted(c.dir(id))).isTrue();
        }
        assertThat(c.cache().evict(id)).isEmpty();
        assertThat(MountTable.isMounted(c.dir(id))).isFalse();
        assertThat(cluster.zfs().exists(c.config().cacheRoot().child(id))).isFalse();
    }

    @Test
    void moreCachedProjectsThanTheBound_stayUnderIt_andAnUnmountedOneMountsAgainOnAccess() throws Exception {
        Client c = start("a", 2);
        List<ProjectId> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(seed("n.txt", "project " + i));
        }
        c.cache().refreshList();
        for (ProjectId id : ids) {
            assertThat(Files.readString(c.dir(id).resolve("n.txt"))).startsWith("project");
            c.cache().settle();
            assertThat(mountedProjects(c)).isLessThanOrEqualTo(2);
        }
        assertThat(c.cache().isNative(ids.get(0))).isFalse();
        assertThat(Files.readString(c.dir(ids.get(0)).resolve("n.txt"))).isEqualTo("project 0");
        c.cache().settle();
        assertThat(c.cache().isNative(ids.get(0))).isTrue();
        assertThat(mountedProjects(c)).isLessThanOrEqualTo(2);
        c.stop(); // a restart mounts the most recently used, up to the bound
        clients.remove(c);
        Client again = start("a", 2);
        again.cache().settle();
        assertThat(again.cache().isNative(ids.get(0))).isTrue();
        assertThat(mountedProjects(again)).isEqualTo(2);
    }

    private static long mountedProjects(Client c) throws IOException {
        return MountTable.below(c.mountpoint()).size();
    }

    @Test
    void aServerListThatDropsTheProject_doesNotDetachItsMount() throws Exception {
        Client c = start("a");
        ProjectId id = seed("f", "kept");
        c.cache().refreshList();
        faultIn(c, id);
        for (int i = 0; i < 2; i++) { // the replicas no longer hold it under its name
            DatasetName ds = cluster.root(i).child(id);
            cluster.zfs().rename(ds, cluster.root(i).child("gone-" + id));
        }
        cluster.rescanAll();
        c.cache().refreshList();
        assertThat(c.cache().projects()).contains(id);
        assertThat(Files.readString(c.dir(id).resolve("f"))).isEqualTo("kept");
        assertThat(MountTable.isMounted(c.dir(id))).isTrue();
        try (var names = Files.list(c.mountpoint())) {
            assertThat(names.map(p -> p.getFileName().toString())).contains(id.toString());
        }
    }
}
