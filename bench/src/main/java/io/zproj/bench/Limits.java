package io.zproj.bench;

import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Workload 5, zproj against its own limits: cold fault-in by project size against a local
 * {@code zfs send | zfs recv} of the same snapshot, warm re-entry, the write-back of a 1 MB
 * change, and mount start-up with 1,000 and 10,000 known projects against {@code zfs mount -a}.
 */
final class Limits {

    static final String W = Workloads.LIMITS;
    static final String PIPE = "zfs send→recv";
    static final int[] SIZES_MB = {10, 100, 500};
    private static final Duration LONG = Duration.ofMinutes(30);
    private static final Duration SHORT = Duration.ofMinutes(3);

    private final BenchPool pool;
    private final Path base;
    private final Path jar;
    private final int runs;
    private final Progress progress;
    private final Consumer<Sample> record;
    private final Map<Integer, ProjectId> bySize = new LinkedHashMap<>();

    Limits(BenchPool pool, Path base, Path jar, int runs, Progress progress, Consumer<Sample> record) {
        this.pool = pool;
        this.base = base;
        this.jar = jar;
        this.runs = runs;
        this.progress = progress;
        this.record = record;
    }

    /** Progress steps: fault-in (3 a size), write-back (zproj and each other system), mount-all, start-ups. */
    static int steps(int runs, int otherSystems) {
        return 1 + runs * (SIZES_MB.length * 3 + 1 + otherSystems + MOUNT_ALL.length + 3);
    }

    /** The row of the 100 MB fault-ins made before the runs, while the daemons' JIT compiles the stream's path. */
    static final String WARM_UP = "cold fault-in 100 MB, first ones after the daemons start (JIT warm-up; not in the runs)";

    /**
     * The runs start once a 100 MB fault-in costs the daemons' JIT compilers (all three, the
     * mount and both servers, per thread from {@code /proc}) less than this. In three runs on the
     * reference machine: 510–960 ms during each of the first three fault-ins after a start, then
     * 120–410 ms, falling slowly (the JIT goes on compiling what a fault-in and its evict run for
     * dozens of them).
     */
    static final long JIT_QUIET_MILLIS = 150;
    /** The most warm-up fault-ins before the runs start anyway (the row says how many there were). */
    static final int MAX_WARM_UPS = 10;

    /** Seeds the fault-in projects on both replicas (before the servers start). */
    void seed(ZprojSystem zproj, Path content) throws IOException {
        for (int mb : SIZES_MB) {
            progress.note("seeding a " + mb + " MB project on both replicas");
            bySize.put(mb, zproj.addProject(content, mb * 1_000_000L));
        }
    }

    /**
     * Cold fault-in and warm re-entry of each size, and the pipe baseline of the same snapshot.
     * Which of the two goes first alternates from run to run: zfs-fuse's ARC (100 MB here) keeps
     * what the first one read from the replica's dataset, which would favour the second every
     * time for projects about the ARC's size.
     */
    void faultIn(ZprojSystem zproj) throws IOException {
        DatasetName pipeRoot = pool.createRoot("pipe");
        warmUp(zproj);
        for (int r = 1; r <= runs; r++) {
            for (Map.Entry<Integer, ProjectId> e : bySize.entrySet()) {
                if (r % 2 == 1) {
                    faultInOnce(zproj, e.getKey(), e.getValue(), r);
                    pipeOnce(zproj, pipeRoot, e.getKey(), e.getValue(), r);
                } else {
                    pipeOnce(zproj, pipeRoot, e.getKey(), e.getValue(), r);
                    faultInOnce(zproj, e.getKey(), e.getValue(), r);
                }
            }
        }
        pool.zfs.destroyDataset(pipeRoot);
    }

    /**
     * The stream's path in the daemons (send on the replica, receive on the mount: Netty, TLS,
     * frames, checksums) is compiled by the JIT during the first fault-ins after they start, on
     * the two cores zfs-fuse needs for the send and the receive. The runs measure daemons past
     * that, as a daemon that has served for a while is: the 100 MB project is faulted in until
     * one fault-in costs the compilers less than {@link #JIT_QUIET_MILLIS}, each a sample of a
     * row of its own with its compiler time.
     */
    private void warmUp(ZprojSystem zproj) throws IOException {
        progress.step("zproj · " + W + " · " + WARM_UP);
        List<Double> secs = new ArrayList<>();
        List<Long> jit = new ArrayList<>();
        do {
            long before = zproj.compilerCpuMillis();
            secs.add(coldFaultIn(zproj, bySize.get(100)));
            jit.add(zproj.compilerCpuMillis() - before);
            progress.note(String.format(java.util.Locale.ROOT, "warm-up fault-in %d: %.3f s, the daemons' JIT "
                    + "compilers %d ms of CPU", secs.size(), secs.get(secs.size() - 1), jit.get(jit.size() - 1)));
        } while (jit.get(jit.size() - 1) >= JIT_QUIET_MILLIS && secs.size() < MAX_WARM_UPS);
        String note = secs.size() + " fault-ins, in order " + secs.stream().map(s -> String.format(
                java.util.Locale.ROOT, "%.2f", s)).collect(Collectors.joining(", ")) + " s; JIT CPU in each "
                + jit.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " ms";
        for (int i = 0; i < secs.size(); i++) {
            record.accept(Sample.seconds(W, WARM_UP, "zproj", i + 1, secs.get(i)).withNote(note));
        }
    }

    private void faultInOnce(ZprojSystem zproj, int mb, ProjectId id, int r) throws IOException {
        String size = mb + " MB";
        Path dir = zproj.mountpoint().resolve(id.toString());
        progress.step("zproj · " + W + " · cold fault-in " + size + " · run " + r + "/" + runs);
        record.accept(Sample.seconds(W, "cold fault-in " + size, "zproj", r, coldFaultIn(zproj, id)));
        progress.step("zproj · " + W + " · warm re-entry " + size + " · run " + r + "/" + runs);
        Sh.dropKernelCaches();
        double warm = Sh.time(LONG, "bash", "-c", "cd \"$0\" && ls >/dev/null", dir.toString());
        record.accept(Sample.seconds(W, "warm re-entry " + size, "zproj", r, warm));
    }

    /** Seconds of {@code cd} and {@code ls} into the project, evicted first and the kernel's caches dropped. */
    private static double coldFaultIn(ZprojSystem zproj, ProjectId id) throws IOException {
        evict(zproj, id);
        Sh.dropKernelCaches();
        return Sh.time(LONG, "bash", "-c", "cd \"$0\" && ls >/dev/null", zproj.mountpoint().resolve(id.toString())
                .toString());
    }

    private void pipeOnce(ZprojSystem zproj, DatasetName pipeRoot, int mb, ProjectId id, int r) throws IOException {
        String size = mb + " MB";
        progress.step(PIPE + " · " + W + " · " + size + " · run " + r + "/" + runs);
        DatasetName target = pipeRoot.child(id);
        pool.zfs.destroyDataset(target);
        Snapshot snap = pool.zfs.newestSnapshot(zproj.replicaRoot().child(id)).orElseThrow();
        Sh.dropKernelCaches();
        double pipe = Sh.time(LONG, "bash", "-o", "pipefail", "-c", "zfs send \"$0\" | zfs recv \"$1\"",
                snap.name().full(), target.value());
        record.accept(Sample.seconds(W, "cold fault-in " + size, PIPE, r, pipe));
    }

    private static void evict(ZprojSystem zproj, ProjectId id) throws IOException {
        try {
            zproj.control("evict " + id);
        } catch (IOException e) {
            if (!e.getMessage().contains("not cached here")) {
                throw e;
            }
        }
    }

    /**
     * A 1 MB change to the largest project, then {@code zproj sync} until both replicas acked;
     * the same 1 MB written with fsync on the other systems.
     */
    void writeBack(ZprojSystem zproj, List<BenchSystem> others, Path change) throws IOException {
        int largest = SIZES_MB[SIZES_MB.length - 1];
        ProjectId id = bySize.get(largest);
        String test = "1 MB change to a " + largest + " MB project, on every replica";
        for (int r = 1; r <= runs; r++) {
            progress.step("zproj · " + W + " · write-back of 1 MB · run " + r + "/" + runs);
            Path dir = zproj.mountpoint().resolve(id.toString());
            long start = System.nanoTime();
            Files.copy(change, dir.resolve("change-" + r + ".bin"));
            List<String> lines = zproj.control("sync " + id);
            double t = (System.nanoTime() - start) / 1e9;
            record.accept(Sample.seconds(W, test, "zproj", r, t)
                    .withNote(Workloads.wire(lines) + " bytes on the wire"));
            for (BenchSystem s : others) {
                progress.step(s.name() + " · " + W + " · write of 1 MB + fsync · run " + r + "/" + runs);
                Path to = s.workDir().resolve("change-" + r + ".bin");
                record.accept(Sample.seconds(W, test, s.name(), r, Sh.time(LONG, "dd", "if=" + change, "of=" + to,
                        "bs=1M", "conv=fsync")));
            }
        }
    }

    /**
     * How many plain datasets are mounted as at boot. Not 1,000, and not with {@code zfs mount -a}:
     * on zfs-fuse, {@code zfs umount -a}/{@code zfs mount -a} over a few hundred filesystems hung or
     * left the pool busy until the daemon was restarted; one {@code zfs mount} per dataset does not.
     */
    static final int[] MOUNT_ALL = {100, 200};

    /**
     * Mounting 100 and 200 plain datasets (one {@code zfs mount} each, in one shell loop: what
     * {@code zfs mount -a} does at boot), then mount start-up and the first {@code ls} of the
     * mount with 1,000 and 10,000 known projects (empty datasets on two fleet servers).
     */
    void fleet() throws IOException {
        mountAll();
        progress.note("creating 10,000 project datasets on two fleet servers (setup, not timed)");
        DatasetName fleetA = pool.createRoot("fleet-a");
        DatasetName fleetB = pool.createRoot("fleet-b");
        createMany(fleetA, projects(1_000));
        createMany(fleetB, projects(9_000));
        pool.createRoot("fleet-cache");
        List<Daemon> servers = new ArrayList<>();
        try {
            List<String> addrs = new ArrayList<>();
            for (DatasetName root : List.of(fleetA, fleetB)) {
                Daemon.Server s = Daemon.startServer(jar, base.resolve("logs"), root.value(), root.leaf(), base);
                servers.add(s.daemon());
                addrs.add(s.address());
            }
            Path bigDir = bigDirectory(10_000);
            for (int r = 1; r <= runs; r++) {
                startUp(addrs.get(0), 1_000, r);
                startUp(String.join(",", addrs), 10_000, r);
                progress.step("native · " + W + " · ls of a 10,000-entry directory · run " + r + "/" + runs);
                Sh.dropKernelCaches();
                long t = System.nanoTime();
                long entries = Sh.run(LONG, "ls", bigDir.toString()).lines().count();
                record.accept(Sample.seconds(W, "first ls of the mount, 10,000 projects", "native", r,
                        (System.nanoTime() - t) / 1e9).withNote("ls of a directory of " + entries + " entries, cold"));
            }
        } finally {
            servers.forEach(Daemon::close);
        }
    }

    private void mountAll() throws IOException {
        DatasetName plain = pool.dataset("plain");
        Path plainDir = base.resolve("plain");
        pool.zfs.createDataset(plain, DatasetProperties.create().mountpoint(plainDir)
                .canmount(DatasetProperties.CanMount.OFF));
        int made = 0;
        for (int n : MOUNT_ALL) {
            progress.note("creating " + n + " plain datasets (setup, not timed)");
            createMany(plain, IntStream.range(made, n).mapToObj(i -> "d" + i));
            made = n;
            Path names = base.resolve("mount-all.names");
            Files.writeString(names, IntStream.range(0, n)
                    .mapToObj(i -> plain.child("d" + i).value() + "\n").collect(Collectors.joining()));
            for (int r = 1; r <= runs; r++) {
                progress.step("native · " + W + " · mount " + n + " datasets · run " + r + "/" + runs);
                double t = Sh.time(SHORT, "bash", "-c", "while read -r d; do zfs mount \"$d\"; done < \"$0\"",
                        names.toString());
                int mounted = Mounts.under(plainDir).size();
                record.accept(Sample.seconds(W, "mount " + n + " datasets (zfs mount each)", "native", r, t)
                        .withNote(mounted + " mounted"));
                Sh.run(SHORT, "bash", "-c", "while read -r d; do zfs unmount \"$d\"; done < \"$0\"",
                        names.toString());
            }
        }
        pool.zfs.destroyDataset(plain);
    }

    private void startUp(String servers, int projects, int run) throws IOException {
        String n = String.format(java.util.Locale.ROOT, "%,d", projects);
        progress.step("zproj · " + W + " · mount start-up with " + n + " projects · run " + run + "/" + runs);
        Path mnt = base.resolve("fleet-mnt");
        Files.createDirectories(mnt);
        long start = System.nanoTime();
        try (Daemon mount = Daemon.start(jar, base.resolve("logs"), "fleet-mount", "mount", mnt.toString(),
                "--servers", servers, "--cache-root", pool.dataset("fleet-cache").value(), "--state",
                base.resolve("fleet-state").toString(), "--tls", BenchTls.client().toString())) {
            mount.awaitMounted(mnt);
            double up = (System.nanoTime() - start) / 1e9;
            long t = System.nanoTime();
            String ls = Sh.run(LONG, "ls", mnt.toString());
            double list = (System.nanoTime() - t) / 1e9;
            long entries = ls.lines().count();
            record.accept(Sample.seconds(W, "mount start-up, " + n + " projects", "zproj", run, up));
            record.accept(Sample.seconds(W, "first ls of the mount, " + n + " projects", "zproj", run, list)
                    .withNote(entries + " entries"));
        }
    }

    /** A mounted dataset holding one directory with {@code n} subdirectories named like projects: the physical limit of a listing. */
    private Path bigDirectory(int n) throws IOException {
        progress.note("making a directory of " + n + " entries on native zfs-fuse (setup, not timed)");
        DatasetName ds = pool.createRoot("big-dir");
        Path dir = base.resolve("big-dir");
        pool.zfs.mount(ds, dir);
        Path names = base.resolve("big-dir.names");
        Files.writeString(names, projects(n).map(u -> u + "\n").collect(Collectors.joining()));
        Sh.bash(LONG, "cd " + dir + " && xargs mkdir < " + names);
        return dir;
    }

    /** Children of {@code parent}, not mounted, 8 {@code zfs create} at a time. */
    private void createMany(DatasetName parent, Stream<String> leaves) throws IOException {
        Path list = base.resolve(parent.leaf() + ".names");
        StringBuilder names = new StringBuilder();
        leaves.forEach(leaf -> names.append(parent.child(leaf).value()).append('\n'));
        Files.writeString(list, names);
        Sh.bash(LONG, "xargs -P 8 -n 1 zfs create -o canmount=noauto < " + list);
    }

    private static Stream<String> projects(int n) {
        return Stream.generate(() -> ProjectId.random().toString()).limit(n);
    }

}
