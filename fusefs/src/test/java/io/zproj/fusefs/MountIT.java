package io.zproj.fusefs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zproj.cache.CacheConfig;
import io.zproj.cache.ProjectCache;
import io.zproj.server.testing.MutableClock;
import io.zproj.server.testing.TestCluster;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Zfs;
import io.zproj.zfs.testing.Trees;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real FUSE mount over a real cache pool and two real replica servers on loopback. */
class MountIT {

    private static TestCluster cluster;
    private static ProjectId project;
    private static final AtomicInteger zfsCalls = new AtomicInteger();
    private Zfs counting;
    private ProjectCache cache;
    private ProjectsMount mount;
    private Path mnt;

    @BeforeAll
    static void cluster() throws IOException {
        cluster = TestCluster.start(2);
        project = cluster.seed(dir -> Trees.populate(dir, 11, 150, 2 << 20), 0, 1);
    }

    @AfterAll
    static void stop() throws IOException {
        cluster.close();
    }

    @BeforeEach
    void mount() throws IOException {
        counting = (Zfs) Proxy.newProxyInstance(Zfs.class.getClassLoader(), new Class<?>[] {Zfs.class},
                (proxy, method, args) -> {
                    if (!Thread.currentThread().getName().startsWith("zproj-")) { // FUSE threads, not background work
                        zfsCalls.incrementAndGet();
                    }
                    try {
                        return method.invoke(cluster.zfs(), args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        startMount();
    }

    private CacheConfig config;
    /** The cache's clock: a test moves it instead of sleeping. */
    private final MutableClock clock = new MutableClock();

    private void startMount() throws IOException {
        startMount(0);
    }

    private void startMount(long cacheSize) throws IOException {
        startMount(cacheSize, io.zproj.zfs.KeepPolicy.DEFAULT);
    }

    private void startMount(long cacheSize, io.zproj.zfs.KeepPolicy keep) throws IOException {
        config = CacheConfig.of(cluster.clientRoot(), cluster.pool().dir().resolve("client-state"),
                cluster.addresses()).withFreshness(Duration.ofMillis(200)).withCacheSize(cacheSize).withKeep(keep);
        cache = ProjectCache.open(counting, cluster.transport(), "mount-it", config, clock);
        Files.createDirectories(config.mountBase());
        mnt = cluster.pool().dir().resolve("projects");
        mount = ProjectsMount.mount(cache, mnt, config.mountBase());
    }

    private void stopMount() {
        mount.close();
        cache.close();
    }

    @AfterEach
    void unmount() throws IOException {
        stopMount();
        for (int i = 0; i < 2; i++) {
            if (cluster.server(i) == null) {
                cluster.restart(i);
            }
        }
    }

    private DatasetName local(ProjectId id) {
        return cluster.clientRoot().child(id);
    }

    @Test
    void lsOfTheNamespace_listsEveryProject_andFetchesNothing() throws Exception {
        List<String> names;
        ProjectId untouched = cluster.seed(dir -> Files.writeString(dir.resolve("f"), "f"), 0, 1);
        cache.refreshList();
        try (Stream<Path> s = Files.list(mnt)) {
            names = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(names).contains(project.toString(), untouched.toString());
        for (String n : names) {
            BasicFileAttributes a = Files.readAttributes(mnt.resolve(n), BasicFileAttributes.class);
            assertThat(a.isDirectory()).isTrue();
        }
        assertThat(cluster.zfs().exists(local(untouched))).as("ls -l must not fault in").isFalse();
    }

    /** The project list is one object while the set is the same (the mount keys its encoded listing by it). */
    @Test
    void theProjectList_isKeptWhileTheSetIsTheSame_andRemadeWhenItChanges() throws Exception {
        cache.refreshList();
        List<ProjectId> first = cache.projects();
        cache.refreshList(); // a refresh that brings nothing new
        assertThat(cache.projects()).isSameAs(first);
        assertThatThrownBy(() -> first.add(ProjectId.random())).isInstanceOf(UnsupportedOperationException.class);
        ProjectId added = cluster.seed(dir -> Files.writeString(dir.resolve("f"), "f"), 0, 1);
        cache.refreshList();
        List<ProjectId> second = cache.projects();
        assertThat(second).isNotSameAs(first).contains(added).containsAll(first).isSorted();
    }

    @Test
    void badAndUnknownNames_areEnoent_withoutAnyZfsCall() throws Exception {
        int before = zfsCalls.get();
        for (String name : List.of("not-a-uuid", "0B5C4A3E-9D1F-4C2A-8E7B-1F2D3C4B5A69", ProjectId.random().toString(),
                "...", "x y")) {
            assertThatThrownBy(() -> Files.readAttributes(mnt.resolve(name), BasicFileAttributes.class))
                    .as(name).isInstanceOf(NoSuchFileException.class);
        }
        assertThat(zfsCalls.get()).isEqualTo(before);
        assertThatThrownBy(() -> Files.createDirectory(mnt.resolve("new-dir-at-the-root")))
                .isInstanceOf(java.nio.file.FileSystemException.class).hasMessageContaining("Operation not permitted");
    }

    @Test
    void coldRead_faultsIn_andTheTreeEqualsTheSource() throws Exception {
        Path dir = mnt.resolve(project.toString());
        assertThat(Trees.describe(dir)).isEqualTo(cluster.tree(cluster.root(0).child(project)));
        assertThat(cluster.zfs().exists(local(project))).isTrue();
        assertThat(cache.bytesFetched()).isPositive();
    }

    @Test
    void concurrentFirstAccesses_shareOneFaultIn() throws Exception {
        ProjectId other = fresh();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> reads = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                reads.add(pool.submit(() -> Files.readString(mnt.resolve(other.toString()).resolve("other.txt"))));
            }
            for (Future<String> f : reads) {
                assertThat(f.get()).isEqualTo("other");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(cache.bytesFetched()).as("one fetch, not eight").isLessThan(2L * streamSize(other));
    }

    @Test
    void everyPassthroughOp_behavesAsOnThePlainDataset() throws Exception {
        DatasetName plain = cluster.pool().dataset("plain-" + System.nanoTime());
        cluster.zfs().createDataset(plain, DatasetProperties.create());
        Path plainDir = cluster.mount(plain);
        ProjectId id = fresh();
        try {
            List<String> expected = Script.run(Files.createDirectory(plainDir.resolve("work")));
            List<String> actual = Script.run(Files.createDirectory(mnt.resolve(id.toString()).resolve("work")));
            assertThat(actual).containsExactlyElementsOf(expected);
            int before = cluster.zfs().listSnapshots(local(id)).size();
            assertThat(cache.sync(Optional.of(id)).ok()).isTrue();
            assertThat(cluster.zfs().listSnapshots(local(id))).as("ZFS saw the changes").hasSize(before + 1);
        } finally {
            cluster.zfs().unmount(plain);
        }
    }

    @Test
    void filesCreatedByAUser_areOwnedByThatUser() throws Exception {
        ProjectId id = fresh();
        Path shared = mnt.resolve(id.toString()).resolve("shared");
        Files.createDirectory(shared);
        Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c",
                "touch file && mkdir dir && ln -s file link && echo data > other", "sh")
                .directory(shared.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        for (String name : List.of("file", "dir", "other")) {
            assertThat(Files.getAttribute(shared.resolve(name), "unix:uid")).as(name).isEqualTo(65534);
            assertThat(Files.getAttribute(shared.resolve(name), "unix:gid")).as(name).isEqualTo(65534);
        }
        assertThat(Files.getAttribute(shared.resolve("link"), "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(65534);
        Process denied = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "touch",
                mnt.resolve(id.toString()).resolve("not-allowed").toString()).redirectErrorStream(true).start();
        assertThat(new String(denied.getInputStream().readAllBytes())).contains("Permission denied");
        assertThat(denied.waitFor()).isNotZero();
    }

    @Test
    void unpackingARealTree_thenLsLR_isTheSameAsOnAPlainDataset() throws Exception {
        Path tarball = cluster.pool().dir().resolve("linux-headers.tar");
        run(List.of("tar", "-C", "/usr/include", "-cf", tarball.toString(), "linux"), null);
        DatasetName plain = cluster.pool().dataset("unpack-" + System.nanoTime());
        cluster.zfs().createDataset(plain, DatasetProperties.create());
        Path plainDir = cluster.mount(plain);
        Path projectDir = mnt.resolve(fresh().toString());
        try {
            for (Path dir : List.of(plainDir, projectDir)) {
                run(List.of("tar", "-xf", tarball.toString()), dir);
            }
            // "total" lines count blocks, which ZFS settles only when a transaction group commits
            String expected = withoutTotals(run(List.of("ls", "-lR", "--time-style=+%s", "linux"), plainDir));
            assertThat(expected.lines().count()).isGreaterThan(800);
            assertThat(withoutTotals(run(List.of("ls", "-lR", "--time-style=+%s", "linux"), projectDir)))
                    .isEqualTo(expected);
            assertThat(Trees.describe(projectDir.resolve("linux"))).isEqualTo(Trees.describe(plainDir.resolve("linux")));
        } finally {
            cluster.zfs().unmount(plain);
        }
    }

    /** libfuse 2 drops a utimens that sets only one time unless told otherwise (tar and touch -m do that). */
    @Test
    void touchOnlyTheModificationTime_isApplied_regressionUtimeOmit() throws Exception {
        ProjectId id = fresh();
        Path f = Files.writeString(mnt.resolve(id.toString()).resolve("t"), "t");
        run(List.of("touch", "-m", "-d", "@1788809622", f.toString()), null);
        run(List.of("touch", "-a", "-d", "@1700000000", f.toString()), null);
        for (Path p : List.of(f, config.mountBase().resolve(id.toString()).resolve("t"))) { // the mount, the backing file
            assertThat(Files.getLastModifiedTime(p).toMillis()).as(p.toString()).isEqualTo(1788809622000L);
            assertThat(((java.nio.file.attribute.FileTime) Files.getAttribute(p, "lastAccessTime")).toMillis())
                    .as(p.toString()).isEqualTo(1700000000000L);
        }
    }

    private static String withoutTotals(String ls) {
        return ls.replaceAll("(?m)^total \\d+\n", "");
    }

    private static String run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(cmd + ": " + out).isZero();
        return out;
    }

    // ------------------------------------------------------------------ snapshots and recent changes

    /**
     * {@code zproj changes} and {@code zproj snapshots} over the real control socket: a file
     * added and one removed an hour ago (the cache's clock moved on) are in the last day's
     * changes and not in the last 10 minutes'; the snapshots show their ages and sizes, and with
     * --remote who holds each.
     */
    @Test
    void changes_anHourAgo_areInTheLastDay_notInTheLast10Minutes_andSnapshotsShowAgesAndHolders() throws Exception {
        ProjectId id = fresh();
        Path dir = mnt.resolve(id.toString());
        Files.readString(dir.resolve("other.txt")); // fault in: the replicas' head is the first snapshot here
        Files.writeString(dir.resolve("added.txt"), "new");
        Files.delete(dir.resolve("other.txt"));
        assertThat(cache.sync(Optional.of(id)).ok()).isTrue();
        clock.advance(Duration.ofHours(1));
        try (io.zproj.cache.ControlServer control = io.zproj.cache.ControlServer.start(config.stateDir(), cache)) {
            List<String> day = io.zproj.cache.ControlServer.call(config.stateDir(), "changes " + id + " --since P1D");
            assertThat(day).last().isEqualTo("OK");
            assertThat(day).anyMatch(l -> l.matches("1 hour ago\\s+added\\s+added\\.txt"))
                    .anyMatch(l -> l.contains("removed") && l.endsWith("other.txt"))
                    .anyMatch(l -> l.startsWith("2 changes since 24 hours ago") && l.contains("the oldest snapshot here"));
            List<String> recent = io.zproj.cache.ControlServer.call(config.stateDir(), "changes " + id + " --since PT10M");
            assertThat(recent).last().isEqualTo("OK");
            assertThat(String.join("\n", recent)).doesNotContain("added.txt").doesNotContain("other.txt")
                    .contains("0 changes since 10 min ago");
            List<String> json = io.zproj.cache.ControlServer.call(config.stateDir(), "changes " + id + " --since P1D --json");
            assertThat(json.get(0)).contains("\"path\":\"added.txt\",\"change\":\"added\"")
                    .contains("\"path\":\"other.txt\",\"change\":\"removed\"");

            List<Snapshot> here = cluster.zfs().listSnapshots(local(id));
            assertThat(here).hasSize(2);
            List<String> snaps = io.zproj.cache.ControlServer.call(config.stateDir(), "snapshots " + id);
            assertThat(snaps).last().isEqualTo("OK");
            for (Snapshot s : here) {
                assertThat(snaps).anyMatch(l -> l.startsWith(s.name().name()) && l.contains("ago") && l.contains("B"));
            }
            assertThat(snaps).anyMatch(l -> l.startsWith(here.get(1).name().name()) && l.contains("1 hour ago"));
            String r0 = io.zproj.transport.Addresses.format(cluster.address(0));
            String r1 = io.zproj.transport.Addresses.format(cluster.address(1));
            List<String> remote = io.zproj.cache.ControlServer.call(config.stateDir(), "snapshots " + id + " --remote");
            assertThat(remote).last().isEqualTo("OK");
            assertThat(remote).anyMatch(l -> l.startsWith(here.get(1).name().name()) && l.endsWith("here, " + r0 + ", " + r1)
                    || l.startsWith(here.get(1).name().name()) && l.endsWith("here, " + r1 + ", " + r0));
        }
    }

    // ------------------------------------------------------------------ metrics

    /** {@code --metrics}: a real scrape over HTTP before and after a fault-in and a write-back; the numbers moved. */
    @Test
    void metrics_scrapedOverHttp_countTheFaultIn_theWriteBack_andTheBytes() throws Exception {
        try (io.zproj.transport.MetricsEndpoint endpoint = io.zproj.transport.MetricsEndpoint.serve(
                new java.net.InetSocketAddress("127.0.0.1", 0))) {
            ProjectId id = fresh();
            String before = scrape(endpoint);
            Files.readString(mnt.resolve(id.toString()).resolve("other.txt")); // fault in
            String fetched = scrape(endpoint);
            assertThat(sample(fetched, "zproj_faultins_total", "node=\"mount-it\"", "outcome=\"ok\""))
                    .isEqualTo(sample(before, "zproj_faultins_total", "node=\"mount-it\"", "outcome=\"ok\"") + 1);
            assertThat(sample(fetched, "zproj_faultin_bytes_total", "node=\"mount-it\""))
                    .isGreaterThan(sample(before, "zproj_faultin_bytes_total", "node=\"mount-it\""));
            assertThat(sample(fetched, "zproj_faultin_duration_seconds_count", "node=\"mount-it\""))
                    .isEqualTo(sample(before, "zproj_faultin_duration_seconds_count", "node=\"mount-it\"") + 1);
            assertThat(fetched).contains("zproj_faultin_duration_seconds_bucket{");
            assertThat(sample(fetched, "zproj_wire_bytes_total", "direction=\"received\""))
                    .isGreaterThan(sample(before, "zproj_wire_bytes_total", "direction=\"received\""));
            assertThat(sample(fetched, "zproj_projects_cached", "node=\"mount-it\"")).isPositive();
            assertThat(sample(fetched, "zproj_cache_used_bytes", "node=\"mount-it\"")).isPositive();

            Files.writeString(mnt.resolve(id.toString()).resolve("metered.txt"), "counted");
            assertThat(cache.sync(Optional.of(id)).ok()).isTrue();
            String written = scrape(endpoint);
            for (int i = 0; i < 2; i++) {
                String replica = "replica=\"" + io.zproj.transport.Addresses.format(cluster.address(i)) + "\"";
                assertThat(sample(written, "zproj_writebacks_total", "node=\"mount-it\"", replica, "outcome=\"ok\""))
                        .isEqualTo(sample(fetched, "zproj_writebacks_total", "node=\"mount-it\"", replica,
                                "outcome=\"ok\"") + 1);
                assertThat(sample(written, "zproj_writeback_bytes_total", "node=\"mount-it\"", replica))
                        .isGreaterThan(sample(fetched, "zproj_writeback_bytes_total", "node=\"mount-it\"", replica));
                assertThat(sample(written, "zproj_writeback_lag_seconds", "node=\"mount-it\"", replica)).isZero();
            }
            assertThat(sample(written, "zproj_wire_bytes_total", "direction=\"sent\""))
                    .isGreaterThan(sample(fetched, "zproj_wire_bytes_total", "direction=\"sent\""));
            assertThat(written).contains("zproj_server_streams_active{");

            cluster.stop(1); // a replica that lacks the next snapshot has a lag
            Files.writeString(mnt.resolve(id.toString()).resolve("metered.txt"), "counted again");
            assertThat(cache.sync(Optional.of(id)).ok()).isFalse();
            clock.advance(Duration.ofSeconds(90));
            String lagging = scrape(endpoint);
            String down = "replica=\"" + io.zproj.transport.Addresses.format(cluster.address(1)) + "\"";
            assertThat(sample(lagging, "zproj_writeback_lag_seconds", "node=\"mount-it\"", down)).isGreaterThanOrEqualTo(90);
            assertThat(sample(lagging, "zproj_writebacks_total", "node=\"mount-it\"", down, "outcome=\"temporary\""))
                    .isEqualTo(1);
        }
    }

    private static String scrape(io.zproj.transport.MetricsEndpoint endpoint) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://"
                        + io.zproj.transport.Addresses.format(endpoint.address()) + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The sum of the samples of {@code name} whose labels include every one of {@code labels} (0 if none). */
    private static double sample(String scrape, String name, String... labels) {
        double sum = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                String head = line.substring(0, line.lastIndexOf(' '));
                if (java.util.Arrays.stream(labels).allMatch(head::contains)) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return sum;
    }

    // ------------------------------------------------------------------ write-back

    @Test
    void sync_bringsAWriteToBothReplicas_andAnUnchangedProjectSendsNothing() throws Exception {
        ProjectId id = fresh();
        Files.writeString(mnt.resolve(id.toString()).resolve("written.txt"), "through the mount");
        ProjectCache.SyncReport first = cache.sync(Optional.of(id));
        assertThat(first.ok()).as(String.join("\n", first.lines())).isTrue();
        assertThat(cache.isDirty(id)).isFalse();
        for (int i = 0; i < 2; i++) {
            assertThat(cluster.readOnReplica(i, id, "written.txt")).contains("through the mount");
        }
        int snapshots = cluster.zfs().listSnapshots(local(id)).size();
        ProjectCache.SyncReport second = cache.sync(Optional.of(id));
        assertThat(second.ok()).isTrue();
        assertThat(second.lines()).allMatch(l -> l.contains("up to date"));
        assertThat(cluster.zfs().listSnapshots(local(id))).hasSize(snapshots);
    }

    @Test
    void aWriteWhileAReplicaIsDown_reachesItWhenItReturns() throws Exception {
        ProjectId id = fresh();
        cluster.stop(1);
        Files.writeString(mnt.resolve(id.toString()).resolve("late.txt"), "while srv1 was down");
        ProjectCache.SyncReport down = cache.sync(Optional.of(id));
        assertThat(down.ok()).isFalse();
        assertThat(down.lines()).anyMatch(l -> l.contains(cluster.address(1).getPort() + ": temporary failure"))
                .anyMatch(l -> l.contains(cluster.address(0).getPort() + ": acked"));
        assertThat(cluster.readOnReplica(0, id, "late.txt")).contains("while srv1 was down");
        cluster.restart(1);
        ProjectCache.SyncReport up = cache.sync(Optional.of(id));
        assertThat(up.ok()).as(String.join("\n", up.lines())).isTrue();
        assertThat(cluster.readOnReplica(1, id, "late.txt")).contains("while srv1 was down");
    }

    /**
     * Pruning by age on this host with its clock an hour ahead (injected), under {@code all=1m}:
     * the snapshot a replica that was away is based on stays (it is held), the rest go, and that
     * replica is caught up incrementally when it returns.
     */
    @Test
    void pruningWithTheClockAnHourAhead_keepsTheBaseOfAReplicaThatWasAway() throws Exception {
        stopMount();
        startMount(0, io.zproj.zfs.KeepPolicy.parse("all=1m"));
        ProjectId id = fresh();
        Path dir = mnt.resolve(id.toString());
        Files.readString(dir.resolve("other.txt")); // fault in: both replicas are based on this snapshot
        Snapshot base = cluster.zfs().newestSnapshot(local(id)).orElseThrow();
        cluster.stop(1);
        Files.writeString(dir.resolve("away.txt"), "written while srv1 was away");
        assertThat(cache.sync(Optional.of(id)).ok()).isFalse();
        Snapshot second = cluster.zfs().newestSnapshot(local(id)).orElseThrow();
        clock.advance(Duration.ofHours(1));
        Files.writeString(dir.resolve("away.txt"), "and again, an hour later by this host's clock");
        assertThat(cache.sync(Optional.of(id)).ok()).isFalse();
        // srv0's base moves off the middle snapshot in the background: a later write-back's prune takes it
        io.zproj.zfs.testing.Await.within(10, "the middle snapshot pruned", () -> {
            cache.sync(Optional.of(id));
            return cluster.zfs().listSnapshots(local(id)).stream().noneMatch(s -> s.guid() == second.guid());
        });
        List<Long> left = cluster.zfs().listSnapshots(local(id)).stream().map(Snapshot::guid).toList();
        assertThat(left).as("srv1's base is held whatever the clock says").contains(base.guid()).hasSize(2);
        cluster.restart(1);
        ProjectCache.SyncReport back = cache.sync(Optional.of(id));
        assertThat(back.ok()).as(String.join("\n", back.lines())).isTrue();
        assertThat(back.lines()).anyMatch(l -> l.contains(cluster.address(1).getPort() + ": acked") && l.contains("incremental"));
        assertThat(cluster.readOnReplica(1, id, "away.txt")).contains("and again, an hour later by this host's clock");
    }

    @Test
    void aDivergedReplica_isRefused_theProjectIsConflicted_andNothingIsLost() throws Exception {
        ProjectId id = fresh();
        Files.readString(mnt.resolve(id.toString()).resolve("other.txt")); // fault in
        DatasetName remote = cluster.root(0).child(id);
        Path m = cluster.mount(remote);
        Files.writeString(m.resolve("other.txt"), "changed on the replica");
        cluster.zfs().unmount(remote);
        Snapshot serverHead = cluster.zfs().snapshot(remote.snapshot("on-the-server"));
        Files.writeString(mnt.resolve(id.toString()).resolve("other.txt"), "changed locally");

        ProjectCache.SyncReport r = cache.sync(Optional.of(id));
        assertThat(r.ok()).isFalse();
        assertThat(String.join("\n", r.lines())).contains("diverged").contains("@" + serverHead.name().name());
        assertThat(cache.status()).filteredOn(p -> p.id().equals(id)).singleElement()
                .satisfies(p -> assertThat(p.state()).isEqualTo("conflicted"));
        assertThat(Files.readString(mnt.resolve(id.toString()).resolve("other.txt"))).isEqualTo("changed locally");
        assertThat(cluster.readOnReplica(0, id, "other.txt")).contains("changed on the replica");
        assertThat(cluster.zfs().newestSnapshot(remote).orElseThrow().guid()).isEqualTo(serverHead.guid());
    }

    /** A project conflicted with srv0 (srv1 holds the local writes): srv0 says "replica", local says "local". */
    private ProjectId conflicted() throws Exception {
        ProjectId id = fresh();
        Files.readString(mnt.resolve(id.toString()).resolve("other.txt")); // fault in
        DatasetName remote = cluster.root(0).child(id);
        Path m = cluster.mount(remote);
        Files.writeString(m.resolve("other.txt"), "replica");
        cluster.zfs().unmount(remote);
        cluster.zfs().snapshot(remote.snapshot("on-the-server"));
        Files.writeString(mnt.resolve(id.toString()).resolve("other.txt"), "local");
        assertThat(cache.sync(Optional.of(id)).ok()).isFalse();
        return id;
    }

    /** The dataset a side set aside for {@code id} under {@code root}, read for its other.txt. */
    private static String asideContent(DatasetName root, ProjectId id) throws IOException {
        DatasetName aside = cluster.zfs().listChildren(root).stream().map(io.zproj.zfs.DatasetInfo::name)
                .filter(n -> n.leaf().startsWith(id + "-conflict-")).findFirst().orElseThrow();
        Snapshot head = cluster.zfs().newestSnapshot(aside).orElseThrow();
        Path m = cluster.mount(aside);
        try {
            return Files.readString(m.resolve("other.txt"));
        } finally {
            cluster.zfs().unmount(aside);
            assertThat(head).isNotNull();
        }
    }

    /** The write-back lag gauge of a replica, as this test's cache registered it. */
    private static double lagOf(InetSocketAddress replica) {
        return io.micrometer.core.instrument.Metrics.globalRegistry.get("zproj.writeback.lag.seconds")
                .tag("node", "mount-it").tag("replica", io.zproj.transport.Addresses.format(replica)).gauge().value();
    }

    @Test
    void resolve_keepLocal_setsTheReplicasCopyAside_andWritesTheLocalOne() throws Exception {
        // gauges report through a registry added to the global one (as --metrics adds Prometheus's)
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.micrometer.core.instrument.Metrics.addRegistry(meters);
        ProjectId id;
        try {
            id = conflicted();
            clock.advance(Duration.ofHours(1));
            assertThat(lagOf(cluster.address(0))).as("srv0 refused the write-back an hour ago")
                    .isGreaterThanOrEqualTo(3600);
            assertThat(cache.resolve(id, true)).anyMatch(l -> l.contains("now holds the local copy"));
            assertThat(lagOf(cluster.address(0))).as("srv0 holds the local copy now").isZero();
        } finally {
            io.micrometer.core.instrument.Metrics.removeRegistry(meters);
        }
        assertThat(cluster.readOnReplica(0, id, "other.txt")).contains("local");
        assertThat(cluster.readOnReplica(1, id, "other.txt")).contains("local");
        assertThat(asideContent(cluster.root(0), id)).isEqualTo("replica");
        assertThat(cache.status()).filteredOn(p -> p.id().equals(id)).singleElement()
                .satisfies(p -> assertThat(p.state()).isNotEqualTo("conflicted"));
        Files.writeString(mnt.resolve(id.toString()).resolve("after.txt"), "after resolve");
        assertThat(cache.sync(Optional.of(id)).ok()).isTrue();
        assertThat(cluster.readOnReplica(0, id, "after.txt")).contains("after resolve");
    }

    @Test
    void resolve_keepRemote_setsTheLocalCopyAside_andTakesTheReplicas() throws Exception {
        ProjectId id = conflicted();
        assertThat(cache.resolve(id, false)).anyMatch(l -> l.contains("the local copy is kept as"));
        assertThat(Files.readString(mnt.resolve(id.toString()).resolve("other.txt"))).isEqualTo("replica");
        assertThat(asideContent(cluster.clientRoot(), id)).isEqualTo("local");
        assertThat(cluster.readOnReplica(1, id, "other.txt")).contains("replica");
        assertThat(asideContent(cluster.root(1), id)).isEqualTo("local");
        Files.writeString(mnt.resolve(id.toString()).resolve("after.txt"), "after resolve");
        assertThat(cache.sync(Optional.of(id)).ok()).isTrue();
    }

    // ------------------------------------------------------------------ eviction

    @Test
    void evict_aCleanProject_thenTheNextLookFetchesItAgain_identical() throws Exception {
        ProjectId id = cluster.seed(dir -> Trees.populate(dir, 31, 40, 1 << 20), 0, 1);
        cache.refreshList();
        Path dir = mnt.resolve(id.toString());
        java.util.Map<String, String> before = Trees.describe(dir);
        assertThat(cache.evict(id)).isEmpty();
        assertThat(cluster.zfs().exists(local(id))).isFalse();
        assertThat(Trees.describe(dir)).isEqualTo(before);
        assertThat(cluster.zfs().exists(local(id))).isTrue();
    }

    @Test
    void evict_writesBackFirst_andRefusesWhileAReplicaLacksTheNewest_orAFileIsOpen() throws Exception {
        ProjectId id = fresh();
        Path file = mnt.resolve(id.toString()).resolve("unsynced.txt");
        Files.writeString(file, "must not be lost");
        cluster.stop(1);
        assertThat(cache.evict(id)).get().asString().contains("not every replica holds its newest snapshot");
        assertThat(Files.readString(file)).isEqualTo("must not be lost");
        cluster.restart(1);
        cache.settle(); // on the native mount now: closing the file is synchronous
        try (java.nio.channels.FileChannel open = java.nio.channels.FileChannel.open(file)) {
            assertThat(cache.evict(id)).get().asString().contains("in use").contains("open file " + file);
        }
        assertThat(cache.evict(id)).isEmpty();
        assertThat(cluster.readOnReplica(1, id, "unsynced.txt")).contains("must not be lost");
        assertThat(Files.readString(file)).isEqualTo("must not be lost");
    }

    @Test
    void cacheSize_evictsTheLeastRecentlyUsed_andKeepsTheRecent() throws Exception {
        ProjectId older = cluster.seed(dir -> Trees.populate(dir, 41, 10, 4 << 20), 0, 1);
        ProjectId newer = cluster.seed(dir -> Trees.populate(dir, 42, 10, 4 << 20), 0, 1);
        long others = 0; // what earlier tests left in the cache and cannot be evicted (e.g. conflicted)
        for (io.zproj.zfs.DatasetInfo d : cluster.zfs().listChildren(cluster.clientRoot())) {
            // copies set aside by a resolve are not projects: they count, and stay
            if (!ProjectId.isValid(d.name().leaf()) || cache.evict(ProjectId.parse(d.name().leaf())).isPresent()) {
                others += cluster.zfs().datasetInfo(d.name()).used();
            }
        }
        stopMount();
        startMount(others + (6L << 20)); // room for one of the two
        Files.size(mnt.resolve(older.toString()).resolve("big.bin"));
        clock.advance(Duration.ofSeconds(1));
        Files.size(mnt.resolve(newer.toString()).resolve("big.bin"));
        clock.advance(Duration.ofSeconds(1)); // both older than the 200 ms "in use right now" window
        cache.enforceSize();
        assertThat(cluster.zfs().exists(local(older))).isFalse();
        assertThat(cluster.zfs().exists(local(newer))).isTrue();
        assertThat(Files.size(mnt.resolve(older.toString()).resolve("big.bin"))).isEqualTo(4 << 20);
    }

    /** A new project on both replicas with other.txt = "other", known to the mount. */
    private ProjectId fresh() throws IOException {
        ProjectId id = cluster.seed(dir -> Files.writeString(dir.resolve("other.txt"), "other"), 0, 1);
        cache.refreshList();
        return id;
    }

    private static long streamSize(ProjectId id) throws IOException {
        try (var send = cluster.zfs().send(cluster.zfs().newestSnapshot(cluster.root(0).child(id)).orElseThrow().name(),
                Optional.empty())) {
            long n = send.stream().transferTo(java.io.OutputStream.nullOutputStream());
            send.finish();
            return n;
        }
    }

    @Test
    void oneReplicaDown_faultInUsesTheOther() throws Exception {
        ProjectId other = fresh();
        cluster.stop(0);
        assertThat(Files.readString(mnt.resolve(other.toString()).resolve("other.txt"))).isEqualTo("other");
    }

    @Test
    void everyReplicaDown_isEio_andTheNextAccessRetries() throws Exception {
        ProjectId other = fresh();
        cluster.stop(0);
        cluster.stop(1);
        Path file = mnt.resolve(other.toString()).resolve("other.txt");
        assertThatThrownBy(() -> Files.readString(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("Input/output error");
        cluster.restart(1);
        assertThat(Files.readString(file)).isEqualTo("other");
    }

    @Test
    void restart_servesTheCachedProject_withoutFetchingItAgain() throws Exception {
        Path file = mnt.resolve(project.toString()).resolve("big.bin");
        long size = Files.size(file);
        stopMount();
        startMount();
        assertThat(Files.size(mnt.resolve(project.toString()).resolve("big.bin"))).isEqualTo(size);
        assertThat(cache.bytesFetched()).isZero();
    }

    @Test
    void cleanProject_isRefreshedIncrementally_whenAReplicaMovesOn() throws Exception {
        ProjectId other = fresh();
        Path file = mnt.resolve(other.toString()).resolve("other.txt");
        assertThat(Files.readString(file)).isEqualTo("other");
        stopMount(); // a clean cached project, not mounted while the replicas move on
        for (int i = 0; i < 2; i++) {
            DatasetName ds = cluster.root(i).child(other);
            Path m = cluster.mount(ds);
            Files.writeString(m.resolve("other.txt"), "newer");
            cluster.zfs().unmount(ds);
            cluster.zfs().snapshot(ds.snapshot("newer-" + System.nanoTime()));
        }
        startMount();
        assertThat(Files.readString(file)).isEqualTo("newer");
        assertThat(cache.bytesFetched()).isPositive().isLessThan(streamSize(other));
    }
}
