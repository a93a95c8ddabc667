package io.zproj.bench;

import io.zproj.zfs.Zfs;
import io.zproj.zfs.ZfsConfig;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

/**
 * {@code ./zproj bench [--quick] [--out DIR]}: sets up GlusterFS (replica 2 on loopback), a
 * native zfs-fuse dataset and zproj (two replica servers and the mount) on this machine, runs
 * the same workloads on each, tears everything down and writes the results (CSV of every run,
 * Markdown tables, PNG charts) to the output directory.
 */
public final class Suite {

    private static final Path WORK_PARENT = Path.of("/var/tmp");
    private static final String WORK_PREFIX = "zproj-bench-";

    /** The command line. */
    record Options(boolean quick, Path out, int runs, Set<String> systems, Set<Integer> workloads, Path jar,
            Path tree) {

        /** What picocli fills in; {@link #parse} checks it and applies the defaults that depend on --quick. */
        @picocli.CommandLine.Command(name = "zproj bench")
        static final class Line {
            @picocli.CommandLine.Option(names = "--quick", description = "3 runs and smaller trees")
            boolean quick;
            @picocli.CommandLine.Option(names = "--out", paramLabel = "DIR")
            Path out = Path.of("bench/results");
            @picocli.CommandLine.Option(names = "--runs", paramLabel = "N")
            Integer runs;
            @picocli.CommandLine.Option(names = "--systems", split = ",", paramLabel = "zproj,passthrough,native,gluster")
            Set<String> systems = Set.of("zproj", "passthrough", "native", "gluster");
            @picocli.CommandLine.Option(names = "--only", split = ",", paramLabel = "1,2,3,4,5")
            Set<Integer> workloads = Set.of(1, 2, 3, 4, 5);
            @picocli.CommandLine.Option(names = "--jar", paramLabel = "FILE")
            Path jar = Path.of("cli/target/zproj.jar");
            @picocli.CommandLine.Option(names = "--tree", paramLabel = "SRC.zip")
            Path tree;
        }

        static Options parse(String[] args) {
            Line l = Args.parse(new Line(), args);
            for (String s : l.systems) {
                if (!Set.of("zproj", "passthrough", "native", "gluster").contains(s)) {
                    throw new IllegalArgumentException("--systems: unknown system '" + s + "' (zproj, passthrough, native, gluster)");
                }
            }
            if (l.systems.contains("passthrough") && !l.systems.contains("zproj")) {
                throw new IllegalArgumentException("--systems: passthrough runs beside zproj; add zproj");
            }
            for (int w : l.workloads) {
                if (w < 1 || w > 5) {
                    throw new IllegalArgumentException("--only: workloads are 1 to 5, not " + w);
                }
            }
            int n = l.runs != null ? l.runs : l.quick ? 3 : 5;
            if (n < 1 || n > 50) {
                throw new IllegalArgumentException("--runs must be 1..50, not " + n);
            }
            return new Options(l.quick, l.out, n, Set.copyOf(l.systems), Set.copyOf(l.workloads), l.jar, l.tree);
        }
    }

    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("zproj bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            new Suite().run(o);
        } catch (IOException | RuntimeException e) {
            System.err.println("\nzproj bench: failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    private final List<AutoCloseable> teardown = Collections.synchronizedList(new ArrayList<>());

    private void run(Options o) throws IOException {
        Path tree = o.tree() != null ? o.tree() : findSourceTree();
        if (!Files.isRegularFile(o.jar())) {
            throw new IOException(o.jar() + " is missing: build it first (mvn -DskipTests package -pl cli -am)");
        }
        sweepLeftovers();
        Path base = WORK_PARENT.resolve(WORK_PREFIX + ProcessHandle.current().pid());
        Files.createDirectories(base);
        Files.createDirectories(o.out());
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        String[] glusterVersion = {"GlusterFS not run"};
        StringBuilder cold = new StringBuilder();
        long begin = System.nanoTime();
        PartialReport report = new PartialReport(samples, failure -> {
            double minutes = (System.nanoTime() - begin) / 60e9;
            SuiteReport.write(o.out(), new ArrayList<>(samples), new SuiteReport.Context(o.quick(), o.runs(),
                    Report.machine() + " " + glusterVersion[0] + "." + cold + (cold.length() > 0 ? "." : ""),
                    minutes, failure));
            System.err.println("bench: " + (failure == null ? "" : "partial ") + "results in "
                    + o.out().resolve("results.md") + " (" + Math.round(minutes) + " min)");
        });
        // Ctrl-C or a kill (a hung zfs-fuse leaves nothing else). The run's thread goes on while the
        // hook runs: no new step starts, what was measured is written, the commands running are
        // killed, and the run's thread is given a minute to fail and tear down itself (a workload
        // still reading a dataset would keep it busy under a teardown of the hook's).
        CountDownLatch ended = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            Progress.stopAll();
            report.writeOnce("interrupted before the end");
            Sh.stopAll();
            try {
                ended.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            tearDown();
            deleteTree(base);
        }, "bench-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
        String failure = null;
        boolean terminal = System.console() != null;
        try {
            Progress setupNotes = new Progress(System.err, terminal, 1);
            setupNotes.note("unpacking " + tree + " onto the local disk (reference copy, not timed)");
            Path staging = base.resolve("staging");
            Sh.run(Duration.ofMinutes(10), "unzip", "-q", tree.toString(), "-d", staging.toString());
            int files;
            try (ZipFile z = new ZipFile(tree.toFile())) {
                files = (int) z.stream().filter(e -> !e.isDirectory()).count();
            }
            List<String> small = Workloads.pickSmallFiles(staging, 1000, 8192);
            Path change = base.resolve("change.bin");
            byte[] mb = new byte[1 << 20];
            new Random(6).nextBytes(mb);
            Files.write(change, mb);

            Zfs zfs = Zfs.open(ZfsConfig.defaults());
            teardown.add(zfs);
            setupNotes.note("creating the bench pool");
            BenchPool pool = BenchPool.create(zfs, base);
            teardown.add(pool);
            List<BenchSystem> systems = new ArrayList<>();
            ZprojSystem zproj = null;
            int steps = Workloads.steps(o.systems().size(), o.runs(), o.workloads());
            Progress progress = new Progress(System.err, terminal,
                    steps + (o.workloads().contains(5) && o.systems().contains("zproj")
                            ? Limits.steps(o.runs(), (int) o.systems().stream()
                                    .filter(n -> !n.equals("zproj") && !n.equals("passthrough")).count()) : 0));
            Limits limits = new Limits(pool, base, o.jar(), o.runs(), progress, samples::add);
            if (o.systems().contains("zproj")) {
                zproj = new ZprojSystem(pool, o.jar(), base);
                teardown.add(zproj);
                progress.note("seeding the zproj replicas");
                zproj.prepare();
                if (o.workloads().contains(5)) {
                    limits.seed(zproj, staging);
                }
                progress.note("starting zproj: two replica servers and the mount");
                zproj.start();
                systems.add(zproj);
                if (o.systems().contains("passthrough")) {
                    PassthroughSystem before = new PassthroughSystem(zproj, base);
                    teardown.add(before);
                    before.start();
                    systems.add(before);
                }
            }
            if (o.systems().contains("native")) {
                NativeSystem nat = new NativeSystem(pool, base);
                teardown.add(nat);
                progress.note("mounting the native dataset");
                nat.start();
                systems.add(nat);
            }
            if (o.systems().contains("gluster")) {
                GlusterSystem gluster = new GlusterSystem(base);
                teardown.add(gluster);
                progress.note("starting GlusterFS: glusterd, a replica 2 volume on two local bricks, the FUSE mount");
                gluster.start();
                glusterVersion[0] = gluster.version();
                systems.add(gluster);
            }
            progress.note("letting the pool write out what the setup wrote (10 s)");
            Sh.run(Duration.ofMinutes(5), "sync");
            Daemon.sleep(10_000);
            for (BenchSystem s : systems) {
                cold.append(cold.length() == 0 ? "\n\nCold means, for " : "; for ").append(s.name()).append(": ")
                        .append(s.coldMeans());
            }
            if (cold.length() > 0) {
                cold.append(". Before a cold `ls -lR` and the cold small-file reads, each system makes an unrecorded "
                        + "pass over the same files, so that zfs-fuse's ARC, which no drop empties, holds them for "
                        + "every system alike");
            }
            Workloads w = new Workloads(new Workloads.Setup(tree, files, small, o.runs(), o.quick(), change),
                    systems, progress, samples::add);
            if (o.workloads().contains(1)) {
                w.unpack();
            } else if (o.workloads().contains(2) || o.workloads().contains(4)) {
                progress.note("unpacking the tree the walks and reads use (workload 1 not selected; not timed)");
                w.unpackOnce();
            }
            if (o.workloads().contains(2)) {
                w.walk();
            }
            if (o.workloads().contains(3)) {
                w.largeIo();
            }
            if (o.workloads().contains(4)) {
                w.smallFiles();
            }
            if (o.workloads().contains(5) && zproj != null) {
                limits.faultIn(zproj);
                List<BenchSystem> others = systems.stream()
                        .filter(s -> !(s instanceof ZprojSystem) && !(s instanceof PassthroughSystem)).toList();
                limits.writeBack(zproj, others, change);
                progress.note("stopping the three systems before the mount start-up test");
                tearDownSystems();
                limits.fleet();
            }
            progress.finish();
        } catch (IOException | RuntimeException e) {
            failure = e.getMessage();
            throw e;
        } finally {
            try {
                tearDown();
                boolean shuttingDown = false;
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    shuttingDown = true; // the hook writes the report and removes the work tree
                }
                if (!shuttingDown) {
                    deleteTree(base);
                    report.writeOnce(failure);
                }
            } finally {
                ended.countDown();
            }
        }
    }

    /** Stops the systems (not the pool). */
    private void tearDownSystems() {
        synchronized (teardown) {
            for (int i = teardown.size() - 1; i >= 0; i--) {
                if (teardown.get(i) instanceof BenchSystem s) {
                    s.close();
                    teardown.remove(i);
                }
            }
        }
    }

    /** Everything set up, in reverse; never throws. */
    private void tearDown() {
        synchronized (teardown) {
            for (int i = teardown.size() - 1; i >= 0; i--) {
                try {
                    teardown.get(i).close();
                } catch (Exception e) {
                    warn("teardown: " + e.getMessage());
                }
            }
            teardown.clear();
        }
    }

    /** Work directories of runs whose process is gone: their mounts detached, then removed. */
    private static void sweepLeftovers() throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(WORK_PARENT, WORK_PREFIX + "*")) {
            for (Path d : dirs) {
                String pid = d.getFileName().toString().substring(WORK_PREFIX.length());
                if (pid.matches("\\d+") && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                    warn("removing " + d + " left by a crashed run");
                    deleteTree(d);
                }
            }
        }
    }

    /** Detaches whatever is still mounted below {@code dir}, then removes it; never throws. */
    private static void deleteTree(Path dir) {
        try {
            for (Path m : Mounts.under(dir)) {
                warn("still mounted: " + m + "; detaching it");
                Mounts.unmountLazily(m);
            }
            Sh.run(Duration.ofMinutes(10), "rm", "-rf", "--one-file-system", dir.toString());
        } catch (IOException e) {
            warn("could not remove " + dir + ": " + e.getMessage());
        }
    }

    /**
     * A real source tree that ships on this machine: the largest JDK {@code src.zip} under
     * /usr/lib/jvm with at least 10,000 files (openjdk-17-source provides one).
     */
    static Path findSourceTree() throws IOException {
        Path best = null;
        long bestFiles = 0;
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> jvms = Files.newDirectoryStream(Path.of("/usr/lib/jvm"))) {
            for (Path j : jvms) {
                candidates.add(j.resolve("lib/src.zip"));
                candidates.add(j.resolve("src.zip"));
            }
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) {
                try (ZipFile z = new ZipFile(c.toFile())) {
                    long n = z.stream().filter(e -> !e.isDirectory()).count();
                    if (n > bestFiles) {
                        best = c.toRealPath();
                        bestFiles = n;
                    }
                }
            }
        }
        if (best == null || bestFiles < 10_000) {
            throw new IOException("no JDK src.zip with 10,000 files or more under /usr/lib/jvm: install openjdk-17-source"
                    + " or pass --tree SRC.zip");
        }
        return best;
    }

    static void warn(String what) {
        System.err.println("\nbench: " + what);
    }

}
