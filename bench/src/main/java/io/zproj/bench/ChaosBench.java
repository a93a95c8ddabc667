package io.zproj.bench;

import io.zproj.zfs.DatasetName;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Zfs;
import io.zproj.zfs.ZfsConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ./zproj bench chaos}: transfers cut with {@code kill -9} at random moments, and what
 * they leave behind. Three kinds, in turn: a {@code zproj pull} killed mid-stream, a
 * {@code zproj push} killed mid-stream, and the replica server killed under a pull. After each
 * cut: the receiving side must hold either nothing or a complete snapshot (never a partial
 * dataset), every push that said it was acked must be on the server, and the same transfer run
 * again to its end must succeed (recovery). Every process is a real {@code zproj} JVM on real
 * zfs-fuse, as an operator runs them.
 */
final class ChaosBench {

    private static final Path INCLUDE = Path.of("/usr/include");
    private static final Duration LONG = Duration.ofMinutes(5);

    private enum Kind { PULL_CLIENT_KILLED, PUSH_CLIENT_KILLED, SERVER_KILLED_UNDER_PULL }

    /** One cut transfer: after how long it was killed, whether it had finished, and what was found. */
    private record Cut(Kind kind, int run, long afterMillis, boolean finishedFirst, boolean partial, boolean recovered,
            boolean ackLost) {}

    private final Path jar;
    private final Random random;
    private Zfs zfs;
    private BenchPool pool;
    private Path logs;
    private Daemon.Server server;
    private DatasetName srv;
    private DatasetName cli;
    private ProjectId id;

    private ChaosBench(Path jar, long seed) {
        this.jar = jar;
        this.random = new Random(seed);
    }

    @picocli.CommandLine.Command(name = "zproj bench chaos")
    static final class Line {
        @picocli.CommandLine.Option(names = "--out", paramLabel = "DIR")
        Path out = Path.of("bench/results");
        @picocli.CommandLine.Option(names = "--jar", paramLabel = "FILE")
        Path jar = Path.of("cli/target/zproj.jar");
        @picocli.CommandLine.Option(names = "--cuts", paramLabel = "N")
        int cuts = 100;
        @picocli.CommandLine.Option(names = "--seed", paramLabel = "N")
        long seed = 1;
    }

    public static void main(String[] args) throws Exception {
        Line l = Args.parse(new Line(), args);
        if (l.cuts < 3 || l.cuts > 1000) {
            throw new IllegalArgumentException("--cuts must be 3..1000, not " + l.cuts);
        }
        Files.createDirectories(l.out);
        new ChaosBench(l.jar.toAbsolutePath(), l.seed).run(l.out, l.cuts, l.seed);
    }

    private void run(Path out, int cuts, long seed) throws Exception {
        Path dir = Files.createTempDirectory("zproj-chaos-");
        logs = dir.resolve("logs");
        List<Cut> results = new ArrayList<>();
        try (Zfs z = Zfs.open(ZfsConfig.defaults()); BenchPool p = BenchPool.create(z, dir)) {
            zfs = z;
            pool = p;
            srv = pool.createRoot("srv");
            cli = pool.createRoot("cli");
            TransferBench.progress("seeding a 60 MB project (copies of /usr/include)");
            id = pool.seedProject(srv, INCLUDE, 60_000_000L);
            server = Daemon.startServer(jar, logs, srv.value(), "chaos-srv", dir.resolve("state"));
            try {
                long pullMillis = timed(() -> zproj("pull", id.toString(), "--from", server.address(), "--root",
                        cli.value()));
                TransferBench.progress("a whole pull takes " + pullMillis + " ms (with the JVM's start)");
                for (int r = 0; r < cuts; r++) {
                    Kind kind = Kind.values()[r % 3];
                    TransferBench.progress("cut " + (r + 1) + "/" + cuts + ": " + kind.name().toLowerCase(Locale.ROOT));
                    results.add(switch (kind) {
                        case PULL_CLIENT_KILLED -> pullClientKilled(r, pullMillis);
                        case PUSH_CLIENT_KILLED -> pushClientKilled(r);
                        case SERVER_KILLED_UNDER_PULL -> serverKilledUnderPull(r, pullMillis, dir);
                    });
                }
            } finally {
                server.daemon().close();
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        write(out, results, cuts, seed);
        TransferBench.progress("results in " + out.resolve("chaos.md"));
    }

    // ------------------------------------------------------------------ the three cuts

    private Cut pullClientKilled(int run, long pullMillis) throws Exception {
        zfs.destroyDataset(cli.child(id));
        long after = (long) (random.nextDouble() * pullMillis);
        boolean finished = killAfter(start("pull", id.toString(), "--from", server.address(), "--root", cli.value()),
                after);
        boolean partial = !settledWhole(cli.child(id), newestGuid(srv.child(id)));
        zproj("pull", id.toString(), "--from", server.address(), "--root", cli.value());
        boolean recovered = newestGuid(cli.child(id)).equals(newestGuid(srv.child(id)));
        return new Cut(Kind.PULL_CLIENT_KILLED, run, after, finished, partial, recovered, false);
    }

    private Cut pushClientKilled(int run) throws Exception {
        DatasetName local = cli.child(id);
        if (!zfs.exists(local)) {
            zproj("pull", id.toString(), "--from", server.address(), "--root", cli.value());
        }
        Path mnt = logs.getParent().resolve("local");
        zfs.mount(local, mnt);
        byte[] buf = new byte[1 << 20];
        random.nextBytes(buf);
        try (OutputStream o = Files.newOutputStream(mnt.resolve("chaos-" + run + ".bin"))) {
            for (int i = 0; i < 8; i++) {
                o.write(buf);
            }
        }
        zfs.unmount(local);
        Optional<Long> before = newestGuid(srv.child(id));
        long after = (long) (random.nextDouble() * 2_000);
        boolean finished = killAfter(start("push", id.toString(), "--to", server.address(), "--root", cli.value()),
                after);
        Optional<Long> now = newestGuid(srv.child(id));
        // The server holds what it held, or the whole new snapshot: the push's own snapshot, never a part of it.
        boolean partial = !(now.equals(before) || now.equals(newestGuid(local)));
        boolean ackLost = finished && !now.equals(newestGuid(local));
        zproj("push", id.toString(), "--to", server.address(), "--root", cli.value());
        boolean recovered = newestGuid(srv.child(id)).equals(newestGuid(local));
        return new Cut(Kind.PUSH_CLIENT_KILLED, run, after, finished, partial, recovered, ackLost);
    }

    private Cut serverKilledUnderPull(int run, long pullMillis, Path dir) throws Exception {
        zfs.destroyDataset(cli.child(id));
        Process pull = start("pull", id.toString(), "--from", server.address(), "--root", cli.value());
        long after = (long) (random.nextDouble() * pullMillis);
        boolean finished = pull.waitFor(after, TimeUnit.MILLISECONDS);
        server.daemon().kill();
        pull.waitFor(LONG.toMillis(), TimeUnit.MILLISECONDS);
        boolean partial = !settledWhole(cli.child(id), newestGuid(srv.child(id)));
        server = Daemon.startServer(jar, logs, srv.value(), "chaos-srv", dir.resolve("state"));
        zproj("pull", id.toString(), "--from", server.address(), "--root", cli.value());
        boolean recovered = newestGuid(cli.child(id)).equals(newestGuid(srv.child(id)));
        return new Cut(Kind.SERVER_KILLED_UNDER_PULL, run, after, finished, partial, recovered, false);
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Kills {@code p} with SIGKILL after {@code millis} unless it finished first, then waits for the
     * {@code zfs} processes it started to end on their own (they see their pipe close).
     *
     * @return whether it had finished (exit 0) before the kill
     */
    private static boolean killAfter(Process p, long millis) throws InterruptedException {
        List<ProcessHandle> children = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline && p.isAlive()) {
            p.descendants().forEach(h -> {
                if (!children.contains(h)) {
                    children.add(h);
                }
            });
            p.waitFor(Math.max(1, Math.min(20, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))),
                    TimeUnit.MILLISECONDS);
        }
        if (!p.isAlive()) {
            return p.exitValue() == 0;
        }
        p.descendants().forEach(children::add);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
        for (ProcessHandle h : children) {
            try {
                h.onExit().get(LONG.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException(h.info().command().orElse("a zfs process") + " (pid " + h.pid()
                        + ") did not end after its parent was killed", e);
            }
        }
        return false;
    }

    /**
     * Waits (zfs-fuse removes a killed receive's dataset shortly after the receive ends) until
     * {@code ds} is gone or whole at {@code expected}; false if it stays there any other way.
     */
    private boolean settledWhole(DatasetName ds, Optional<Long> expected) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            if (!zfs.exists(ds) || newestGuid(ds).equals(expected)) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Daemon.sleep(50);
        }
    }

    private Optional<Long> newestGuid(DatasetName ds) throws IOException {
        return zfs.exists(ds) ? zfs.newestSnapshot(ds).map(Snapshot::guid) : Optional.empty();
    }

    private Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(Daemon.java(jar));
        cmd.addAll(List.of(args));
        Files.createDirectories(logs);
        ProcessBuilder b = new ProcessBuilder(cmd);
        b.environment().put("ZPROJ_TLS", BenchTls.admin().toString());
        return b.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("cli.log").toFile())).start();
    }

    private void zproj(String... args) throws Exception {
        Process p = start(args);
        if (!p.waitFor(LONG.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("zproj " + String.join(" ", args) + " failed; see " + logs.resolve("cli.log"));
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static long timed(Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static void write(Path out, List<Cut> cuts, int n, long seed) throws IOException {
        StringBuilder csv = new StringBuilder("kind,run,killed_after_ms,finished_first,partial,recovered,ack_lost\n");
        for (Cut c : cuts) {
            csv.append(String.format(Locale.ROOT, "%s,%d,%d,%b,%b,%b,%b%n", c.kind().name().toLowerCase(Locale.ROOT),
                    c.run(), c.afterMillis(), c.finishedFirst(), c.partial(), c.recovered(), c.ackLost()));
        }
        Files.writeString(out.resolve("chaos.csv"), csv);
        Map<Kind, int[]> sums = new LinkedHashMap<>();
        for (Cut c : cuts) {
            int[] s = sums.computeIfAbsent(c.kind(), k -> new int[6]);
            s[0]++;
            s[1] += c.finishedFirst() ? 0 : 1;
            s[2] += c.finishedFirst() ? 1 : 0;
            s[3] += c.partial() ? 1 : 0;
            s[4] += c.recovered() ? 1 : 0;
            s[5] += c.ackLost() ? 1 : 0;
        }
        StringBuilder md = new StringBuilder("# chaos\n\n" + Report.machine() + "\n\n" + n + " transfers (seed " + seed
                + "), each cut with `kill -9` at a random moment within the time a whole one takes: a `zproj pull`"
                + " killed, a `zproj push` (8 MiB of new data) killed, the replica server killed under a pull, in"
                + " turn. After each: the receiving side must hold nothing or a whole snapshot, an acknowledged push"
                + " must be on the server, and the same transfer run again must succeed.\n\n");
        md.append("| cut | transfers | killed mid-way | finished before the kill | partial datasets | recovered | acked"
                + " writes lost |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        for (Map.Entry<Kind, int[]> e : sums.entrySet()) {
            int[] s = e.getValue();
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d |%n",
                    e.getKey().name().toLowerCase(Locale.ROOT).replace('_', ' '), s[0], s[1], s[2], s[3], s[4], s[5]));
        }
        Files.writeString(out.resolve("chaos.md"), md);
    }
}
