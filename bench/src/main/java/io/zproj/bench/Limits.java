package io.zproj.bench;

import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.PoolInfo;
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

/**
 * Workload 5, zproj against its own limits: cold fault-in by project size against a local
 * {@code zfs send | zfs recv} of the same snapshot, warm re-entry, the write-back of a 1 MB
 * change, and mount start-up with 1,000 and 10,000 known projects against {@code zfs mount -a}.
 */
final class Limits {

    static final String W = Workloads.LIMITS;
    static final String PIPE = "zfs send|recv";
    static final int[] SIZES_MB = {10, 100, 500};
    private static final Duration LONG = Duration.ofMinutes(30);

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

    static int steps(int runs) {
        return runs * (SIZES_MB.length * 3 + 2 + 3);
    }

    /** Seeds the fault-in projects on both replicas (before the servers start). */
    void seed(ZprojSystem zproj, Path content) throws IOException {
        for (int mb : SIZES_MB) {
            progress.note("seeding a " + mb + " MB project on both replicas");
            bySize.put(mb, zproj.addProject(content, mb * 1_000_000L));
        }
    }

    /** Cold fault-in and warm re-entry of each size; the pipe baseline in between. */
    void faultIn(ZprojSystem zproj) throws IOException {
        DatasetName pipeRoot = pool.createRoot("pipe");
        for (int r = 1; r <= runs; r++) {
            for (Map.Entry<Integer, ProjectId> e : bySize.entrySet()) {
                String size = e.getKey() + " MB";
                ProjectId id = e.getValue();
                Path dir = zproj.mountpoint().resolve(id.toString());
                progress.step("zproj · " + W + " · cold fault-in " + size + " · run " + r + "/" + runs);
                evict(zproj, id);
                Sh.dropKernelCaches();
                double cold = Sh.time(LONG, "bash", "-c", "cd \"$0\" && ls >/dev/null", dir.toString());
                record.accept(Sample.seconds(W, "cold fault-in " + size, "zproj", r, cold));
                progress.step("zproj · " + W + " · warm re-entry " + size + " · run " + r + "/" + runs);
                Sh.dropKernelCaches();
                double warm = Sh.time(LONG, "bash", "-c", "cd \"$0\" && ls >/dev/null", dir.toString());
                record.accept(Sample.seconds(W, "warm re-entry " + size, "zproj", r, warm));
                progress.step(PIPE + " · " + W + " · " + size + " · run " + r + "/" + runs);
                DatasetName target = pipeRoot.child(id);
                pool.zfs.destroyDataset(target);
                Snapshot snap = pool.zfs.newestSnapshot(zproj.replicaRoot().child(id)).orElseThrow();
                Sh.dropKernelCaches();
                double pipe = Sh.time(LONG, "bash", "-o", "pipefail", "-c", "zfs send \"$0\" | zfs recv \"$1\"",
                        snap.name().full(), target.value());
                record.accept(Sample.seconds(W, "cold fault-in " + size, PIPE, r, pipe));
            }
        }
        pool.zfs.destroyDataset(pipeRoot);
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
     * Mount start-up and the first {@code ls} of the mount with 1,000 and 10,000 known projects
     * (empty datasets on two fleet servers), against {@code zfs mount -a} of 1,000 datasets.
     */
    void fleet() throws IOException {
        progress.note("creating 10,000 project datasets and 1,000 plain datasets (setup, not timed)");
        DatasetName fleetA = pool.createRoot("fleet-a");
        DatasetName fleetB = pool.createRoot("fleet-b");
        createMany(fleetA, 1_000, false);
        createMany(fleetB, 9_000, false);
        DatasetName plain = pool.dataset("plain");
        Path plainDir = base.resolve("plain");
        pool.zfs.createDataset(plain, DatasetProperties.create().mountpoint(plainDir)
                .canmount(DatasetProperties.CanMount.OFF));
        createMany(plain, 1_000, true);
        pool.createRoot("fleet-cache");
        List<Daemon> servers = new ArrayList<>();
        try {
            List<String> addrs = new ArrayList<>();
            for (DatasetName root : List.of(fleetA, fleetB)) {
                var at = Daemon.freeLoopbackAddress();
                String addr = at.getHostString() + ":" + at.getPort();
                servers.add(Daemon.start(jar, base.resolve("logs"), "server-" + root.leaf(), "server", "--root",
                        root.value(), "--listen", addr, "--state", base.resolve(root.leaf()).toString())
                        .awaitListening(at));
                addrs.add(addr);
            }
            boolean mountAll = onlyOurPool();
            for (int r = 1; r <= runs; r++) {
                startUp(addrs.get(0), 1_000, r);
                startUp(String.join(",", addrs), 10_000, r);
                if (mountAll) {
                    progress.step("native · " + W + " · zfs mount -a of 1,000 datasets · run " + r + "/" + runs);
                    Sh.run(LONG, "zfs", "umount", "-a");
                    double t = Sh.time(LONG, "zfs", "mount", "-a");
                    long mounted = Mounts.under(plainDir).size();
                    record.accept(Sample.seconds(W, "mount start-up, 1,000 projects", "native", r, t)
                            .withNote("zfs mount -a: " + mounted + " mounted"));
                } else {
                    progress.step("native · " + W + " · zfs mount -a skipped: other pools are imported");
                }
            }
        } finally {
            servers.forEach(Daemon::close);
        }
    }

    private void startUp(String servers, int projects, int run) throws IOException {
        String n = String.format(java.util.Locale.ROOT, "%,d", projects);
        progress.step("zproj · " + W + " · mount start-up with " + n + " projects · run " + run + "/" + runs);
        Path mnt = base.resolve("fleet-mnt");
        Files.createDirectories(mnt);
        long start = System.nanoTime();
        try (Daemon mount = Daemon.start(jar, base.resolve("logs"), "fleet-mount", "mount", mnt.toString(),
                "--servers", servers, "--cache-root", pool.dataset("fleet-cache").value(), "--state",
                base.resolve("fleet-state").toString())) {
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

    /** Whether {@code zfs umount -a}/{@code mount -a} would touch nothing but the bench pool. */
    private boolean onlyOurPool() throws IOException {
        for (PoolInfo p : pool.zfs.listPools()) {
            if (!p.name().equals(pool.name)) {
                return false;
            }
        }
        return true;
    }

    /** {@code count} children of {@code parent}, two {@code zfs create} at a time. */
    private void createMany(DatasetName parent, int count, boolean mountable) throws IOException {
        Path list = base.resolve(parent.leaf() + ".names");
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < count; i++) {
            names.append(parent.child(mountable ? "d" + i : ProjectId.random().toString()).value()).append('\n');
        }
        Files.writeString(list, names);
        Sh.bash(LONG, "xargs -P 2 -n 1 zfs create " + (mountable ? "" : "-o canmount=noauto ") + "< " + list);
    }
}
