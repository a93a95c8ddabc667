package io.zproj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The suite's workloads. Each runs the same commands, on the same files, in the same order, on
 * every system; a run goes through the systems in an order that rotates from run to run, so
 * that no system is always first after a cache drop or always last before a flush.
 */
final class Workloads {

    static final String UNPACK = "1 unpack";
    static final String WALK = "2 walk";
    static final String IO = "3 large I/O";
    static final String SMALL = "4 small-file reads";
    static final String LIMITS = "5 zproj limits";

    private static final Duration LONG = Duration.ofMinutes(30);
    private static final Pattern WIRE = Pattern.compile("(\\d+) on the wire");

    /** What a run needs to know. */
    record Setup(Path tree, int treeFiles, List<String> smallFiles, int runs, boolean quick, Path change) {}

    private final Setup setup;
    private final List<BenchSystem> systems;
    private final Progress progress;
    private final Consumer<Sample> record;

    Workloads(Setup setup, List<BenchSystem> systems, Progress progress, Consumer<Sample> record) {
        this.setup = setup;
        this.systems = systems;
        this.progress = progress;
        this.record = record;
    }

    /** Systems in the order of run {@code r}. */
    private List<BenchSystem> order(int run) {
        List<BenchSystem> l = new ArrayList<>(systems);
        java.util.Collections.rotate(l, -(run - 1));
        return l;
    }

    private void step(BenchSystem s, String workload, String what, int run) {
        progress.step(s.name() + " · " + workload + " · " + what + " · run " + run + "/" + setup.runs());
    }

    /** How many progress steps workloads 1 to 4 take, of those selected. */
    static int steps(int systems, int runs, java.util.Set<Integer> workloads) {
        int[] perRun = {0, 1, 2, 6, 1}; // steps per run and system of workloads 1..4
        int n = 0;
        for (int w = 1; w <= 4; w++) {
            n += workloads.contains(w) ? perRun[w] : 0;
        }
        return runs * systems * n;
    }

    // ------------------------------------------------------------------ 1: unpack, then sync

    /** Where run {@code run} of {@link #unpack} leaves the tree on {@code s}; the walks and reads use run 1's. */
    private static Path unpacked(BenchSystem s, int run) {
        return s.workDir().resolve("unpack-" + run);
    }

    /** Unpacks the source archive into {@code unpack-<run>} on each system, then {@code sync}. */
    void unpack() throws IOException {
        for (int r = 1; r <= setup.runs(); r++) {
            for (BenchSystem s : order(r)) {
                step(s, UNPACK, "unzip + sync", r);
                Path dir = unpacked(s, r);
                Sh.run(LONG, "sync");
                double t = Sh.time(LONG, "bash", "-c", "unzip -q \"$0\" -d \"$1\" && sync", setup.tree().toString(),
                        dir.toString());
                record.accept(Sample.seconds(UNPACK, "unpack " + setup.treeFiles() + " files + sync", s.name(), r, t));
                ZprojSystem z = s instanceof ZprojSystem zs ? zs : s instanceof PassthroughSystem p ? p.zproj() : null;
                if (z != null) {
                    long start = System.nanoTime();
                    List<String> lines = z.control("sync " + (s instanceof PassthroughSystem
                            ? z.passthroughProject() : z.workProject()));
                    record.accept(Sample.seconds(UNPACK, "then written back to both replicas (zproj sync)",
                            s.name(), r, (System.nanoTime() - start) / 1e9).withNote(wire(lines) + " bytes on the wire"));
                }
            }
        }
    }

    /** The tree of run 1 on every system, as {@link #unpack} leaves it, without timing it: for workloads 2 and 4 alone. */
    void unpackOnce() throws IOException {
        for (BenchSystem s : systems) {
            Sh.run(LONG, "unzip", "-q", setup.tree().toString(), "-d", unpacked(s, 1).toString());
        }
        Sh.run(LONG, "sync");
    }

    // ------------------------------------------------------------------ 2: ls -lR and stat, cold and warm

    /*
     * primed: a cold measurement is preceded by an unrecorded pass over the same files, then the
     * kernel's caches are dropped. zfs-fuse's ARC (100 MB, in its daemon, shared by every dataset
     * of the pool) is not dropped by that; without the pass, whether a system's files were in it
     * depended on what the system before it in the rotation had read, and a cold row's runs fell
     * in two groups for native and zproj alike (small-file p50 cold: about 0.16 and 0.33 ms). With
     * it, "cold" is the kernel's caches, and the ARC is warm for every system on zfs-fuse.
     */

    void walk() throws IOException {
        for (int r = 1; r <= setup.runs(); r++) {
            for (BenchSystem s : order(r)) {
                String tree = unpacked(s, 1).toString();
                step(s, WALK, "ls -lR", r);
                Sh.run(LONG, "ls", "-lR", tree); // not timed: fills zfs-fuse's ARC with this tree, see primed
                s.dropCaches();
                record.accept(Sample.seconds(WALK, "ls -lR cold", s.name(), r, Sh.time(LONG, "ls", "-lR", tree)));
                record.accept(Sample.seconds(WALK, "ls -lR warm", s.name(), r, Sh.time(LONG, "ls", "-lR", tree)));
                step(s, WALK, "stat every file", r);
                String statAll = "find \"$0\" -print0 | xargs -0 stat --printf=''";
                s.dropCaches();
                record.accept(Sample.seconds(WALK, "stat every file cold", s.name(), r,
                        Sh.time(LONG, "bash", "-c", statAll, tree)));
                record.accept(Sample.seconds(WALK, "stat every file warm", s.name(), r,
                        Sh.time(LONG, "bash", "-c", statAll, tree)));
            }
        }
    }

    // ------------------------------------------------------------------ 3: dd and fio

    private record Fio(String test, String rw, String bs, boolean write, boolean iops) {}

    private static final List<Fio> FIO = List.of(
            new Fio("fio sequential write 1 MiB", "write", "1M", true, false),
            new Fio("fio sequential read 1 MiB", "read", "1M", false, false),
            new Fio("fio random read 4 KiB", "randread", "4k", false, true),
            new Fio("fio random write 4 KiB", "randwrite", "4k", true, true));

    void largeIo() throws IOException {
        String size = setup.quick() ? "128M" : "256M";
        String runtime = setup.quick() ? "2" : "10";
        for (int r = 1; r <= setup.runs(); r++) {
            for (BenchSystem s : order(r)) {
                Path f = s.workDir().resolve("dd-" + r + ".bin");
                step(s, IO, "dd 128 MB + fdatasync", r);
                Sh.run(LONG, "sync");
                double w = Sh.time(LONG, "dd", "if=/dev/zero", "of=" + f, "bs=1M", "count=128", "conv=fdatasync");
                record.accept(Sample.seconds(IO, "dd write 128 MB + fdatasync", s.name(), r, w));
                step(s, IO, "dd read back (cold)", r);
                s.dropCaches();
                double rd = Sh.time(LONG, "dd", "if=" + f, "of=/dev/null", "bs=1M");
                record.accept(Sample.seconds(IO, "dd read back 128 MB (cold)", s.name(), r, rd));
                Files.delete(f);
                Path dir = s.workDir().resolve("fio");
                Files.createDirectories(dir);
                for (Fio job : FIO) {
                    step(s, IO, job.test(), r);
                    s.dropCaches();
                    List<String> cmd = new ArrayList<>(List.of("fio", "--name=" + job.rw(),
                            "--filename=" + dir.resolve("fio.dat"), "--rw=" + job.rw(), "--bs=" + job.bs(),
                            "--size=" + size, "--runtime=" + runtime, "--time_based", "--ioengine=psync",
                            "--output-format=terse", "--terse-version=3"));
                    if (job.write()) {
                        cmd.add("--end_fsync=1");
                    }
                    String[] f3 = Sh.run(LONG, cmd.toArray(String[]::new)).strip().split(";");
                    double kib = Double.parseDouble(f3[job.write() ? 47 : 6]);
                    double iops = Double.parseDouble(f3[job.write() ? 48 : 7]);
                    record.accept(job.iops()
                            ? new Sample(IO, job.test(), s.name(), r, iops, "IOPS", true, "")
                            : new Sample(IO, job.test(), s.name(), r, kib / 1024, "MiB/s", true, ""));
                }
            }
        }
        for (BenchSystem s : systems) {
            Sh.run(LONG, "rm", "-rf", s.workDir().resolve("fio").toString());
        }
    }

    // ------------------------------------------------------------------ 4: small-file read latency

    void smallFiles() throws IOException {
        for (int r = 1; r <= setup.runs(); r++) {
            for (BenchSystem s : order(r)) {
                Path tree = unpacked(s, 1);
                step(s, SMALL, "read " + setup.smallFiles().size() + " small files", r);
                readAll(tree); // fills zfs-fuse's ARC with these files, see primed
                s.dropCaches();
                latencies(s, r, "cold", readAll(tree));
                latencies(s, r, "warm", readAll(tree));
            }
        }
    }

    private long[] readAll(Path tree) throws IOException {
        long[] nanos = new long[setup.smallFiles().size()];
        for (int i = 0; i < nanos.length; i++) {
            Path p = tree.resolve(setup.smallFiles().get(i));
            long t = System.nanoTime();
            Files.readAllBytes(p);
            nanos[i] = System.nanoTime() - t;
        }
        return nanos;
    }

    private void latencies(BenchSystem s, int run, String temp, long[] nanos) {
        Arrays.sort(nanos);
        for (int pct : new int[] {50, 99}) {
            double ms = nanos[Math.min(nanos.length - 1, (int) Math.ceil(pct / 100.0 * nanos.length) - 1)] / 1e6;
            record.accept(new Sample(SMALL, "p" + pct + " " + temp, s.name(), run, ms, "ms", false, ""));
        }
    }

    /** Sums the wire bytes of a {@code zproj sync} answer's lines. */
    static long wire(List<String> lines) {
        long total = 0;
        for (String l : lines) {
            Matcher m = WIRE.matcher(l);
            if (m.find()) {
                total += Long.parseLong(m.group(1));
            }
        }
        return total;
    }

    /** Up to {@code n} regular files of at most {@code maxBytes}, spread evenly over the sorted tree. */
    static List<String> pickSmallFiles(Path tree, int n, long maxBytes) throws IOException {
        List<String> small;
        try (Stream<Path> s = Files.walk(tree)) {
            small = s.filter(Files::isRegularFile).filter(p -> {
                try {
                    return Files.size(p) <= maxBytes;
                } catch (IOException e) {
                    return false;
                }
            }).map(p -> tree.relativize(p).toString()).sorted().toList();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n && i < small.size(); i++) {
            out.add(small.get((int) ((long) i * small.size() / Math.min(n, small.size()))));
        }
        return out;
    }

}
