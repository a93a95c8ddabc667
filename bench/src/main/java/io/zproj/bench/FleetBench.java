package io.zproj.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.zproj.server.fleet.LocalEtcd;
import io.zproj.transport.ProjectEntry;
import io.zproj.transport.SnapshotEntry;
import io.zproj.transport.fleet.EtcdClients;
import io.zproj.transport.fleet.FleetKeys;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Zfs;
import io.zproj.zfs.ZfsConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code ./zproj bench fleet}: the project list at fleet scale, etcd against polling, in one run.
 * The etcd side registers projects as {@code --servers} servers would (their keys under one lease
 * each, written straight into a real etcd: no server process per key), then starts a real
 * {@code zproj mount --etcd} at 10,000 and at {@code --projects} projects and times its start-up
 * and its first {@code ls}; then it makes {@code --changes} new projects appear, each as a server
 * would publish it, and times until the mount finds each (a lookup through the mount: the
 * negative-entry timeout is 0). The polling side does the same with two real servers holding
 * {@code --polled} projects and a {@code zproj mount --servers}; a new project there is one a
 * client pushes. Memory: etcd's and each mount's resident size. Results to {@code fleet.md}.
 */
final class FleetBench {

    private static final Duration LONG = Duration.ofMinutes(30);

    private final Path jar;
    private final Path out;
    private final List<String> md = new ArrayList<>();

    private FleetBench(Path jar, Path out) {
        this.jar = jar;
        this.out = out;
    }

    @picocli.CommandLine.Command(name = "zproj bench fleet")
    static final class Line {
        @picocli.CommandLine.Option(names = "--out", paramLabel = "DIR")
        Path out = Path.of("bench/results");
        @picocli.CommandLine.Option(names = "--jar", paramLabel = "FILE")
        Path jar = Path.of("cli/target/zproj.jar");
        @picocli.CommandLine.Option(names = "--projects", paramLabel = "N")
        int projects = 100_000;
        @picocli.CommandLine.Option(names = "--servers", paramLabel = "N")
        int servers = 20;
        @picocli.CommandLine.Option(names = "--changes", paramLabel = "N")
        int changes = 100;
        @picocli.CommandLine.Option(names = "--polled", paramLabel = "N")
        int polled = 10_000;
    }

    public static void main(String[] args) throws Exception {
        Line l = Args.parse(new Line(), args);
        Files.createDirectories(l.out);
        new FleetBench(l.jar, l.out).run(l.projects, l.servers, l.changes, l.polled);
    }

    private void run(int projects, int servers, int changes, int polled) throws Exception {
        Path dir = Files.createTempDirectory("zproj-bench-fleet-");
        md.add("# fleet");
        md.add("");
        md.add(Report.machine());
        md.add("");
        md.add("| side | projects | mount start-up s | first ls s | new project seen by the mount: p50 / p99 / max ms "
                + "| mount RSS MiB | etcd RSS MiB |");
        md.add("| --- | --- | --- | --- | --- | --- | --- |");
        try (Zfs zfs = Zfs.open(ZfsConfig.defaults()); BenchPool pool = BenchPool.create(zfs, dir);
                LocalEtcd etcd = LocalEtcd.launch("zproj-bench-etcd-");
                Client client = Client.builder().endpoints(etcd.endpoint()).build()) {
            Registrar reg = new Registrar(client.getKVClient(), client, servers);
            int small = Math.min(10_000, projects);
            reg.register(small);
            measureEtcd(pool, etcd, reg, small, changes, dir);
            if (projects > small) {
                reg.register(projects);
                measureEtcd(pool, etcd, reg, projects, changes, dir);
            }
            if (polled > 0) {
                measurePolled(pool, polled, Math.min(changes, 10), dir);
            }
        } finally {
            Sh.run(Duration.ofMinutes(5), "rm", "-rf", "--one-file-system", dir.toString());
        }
        md.add("");
        md.add("Reproduce: `./zproj bench fleet [--projects " + projects + "] [--servers " + servers + "] [--changes "
                + changes + "] [--polled " + polled + "]`. Etcd-side keys are written as " + servers
                + " servers would publish them (one lease each); the mount is a real `zproj mount --etcd` process. "
                + "Polling side: two real `zproj server`s over " + polled + " real datasets, a real "
                + "`zproj mount --servers` (asks each server every 10 s); a new project there is one pushed by "
                + "`zproj push`, timed from the push's acknowledgement (the server's catalog has it from then on; "
                + "the mount at its next poll). Etcd side: timed from the put of the project's key.");
        Files.writeString(out.resolve("fleet.md"), String.join("\n", md) + "\n");
        System.err.println("bench: results in " + out.resolve("fleet.md"));
    }

    /** Writes project keys as the servers would: each project on one server, under that server's lease. */
    private static final class Registrar {
        private final KV kv;
        private final long[] leases;
        private final List<UUID> ids = new ArrayList<>();

        Registrar(KV kv, Client client, int servers) throws Exception {
            this.kv = kv;
            this.leases = new long[servers];
            for (int s = 0; s < servers; s++) {
                leases[s] = client.getLeaseClient().grant(3600).get(10, TimeUnit.SECONDS).getID();
                kv.put(EtcdClients.bytes(FleetKeys.server(server(s))), ByteSequence.from(FleetKeys.encodeAddress(
                        new InetSocketAddress("127.0.0.1", 20_000 + s))), PutOption.builder().withLeaseId(leases[s])
                        .build()).get(10, TimeUnit.SECONDS);
            }
        }

        static String server(int s) {
            return "bench-srv-" + s;
        }

        void register(int upTo) throws Exception {
            List<Op> batch = new ArrayList<>();
            while (ids.size() < upTo) {
                UUID id = UUID.randomUUID();
                batch.add(put(id, ids.size() % leases.length, ids.size() + 1));
                ids.add(id);
                if (batch.size() == 100) {
                    flush(batch);
                }
            }
            flush(batch);
        }

        Op put(UUID id, int s, long guid) {
            ProjectEntry e = new ProjectEntry(id, Optional.of(new SnapshotEntry("zproj-bench", guid, 1,
                    Instant.now().getEpochSecond())), 1 << 20, 0);
            return Op.put(EtcdClients.bytes(FleetKeys.project(id, server(s))), ByteSequence.from(FleetKeys.encodeEntry(e)),
                    PutOption.builder().withLeaseId(leases[s]).build());
        }

        void flush(List<Op> batch) throws Exception {
            if (!batch.isEmpty()) {
                kv.txn().Then(batch.toArray(Op[]::new)).commit().get(30, TimeUnit.SECONDS);
                batch.clear();
            }
        }

    }

    private void measureEtcd(BenchPool pool, LocalEtcd etcd, Registrar reg, int n, int changes, Path dir)
            throws Exception {
        progress("etcd, " + n + " projects: mount start-up and first ls");
        DatasetName cache = pool.createRoot("fleet-etcd-cache-" + n);
        Path mp = dir.resolve("mnt-etcd-" + n);
        Files.createDirectories(mp);
        long start = System.nanoTime();
        try (Daemon mount = Daemon.start(jar, dir.resolve("logs"), "mount-etcd-" + n, "mount", mp.toString(),
                "--etcd", etcd.endpoint().toString(), "--cache-root", cache.value(), "--state",
                dir.resolve("state-etcd-" + n).toString(), "--tls", BenchTls.client().toString())) {
            mount.awaitMounted(mp);
            double up = (System.nanoTime() - start) / 1e9;
            long t = System.nanoTime();
            long listed = Sh.run(LONG, "ls", mp.toString()).lines().count();
            double ls = (System.nanoTime() - t) / 1e9;
            if (listed < n) {
                throw new IOException("the mount listed " + listed + " projects, not " + n + "; see its log");
            }
            progress("etcd, " + n + " projects: " + changes + " new projects, each timed until the mount finds it");
            double[] seen = new double[changes];
            for (int k = 0; k < changes; k++) {
                UUID id = UUID.randomUUID();
                long t0 = System.nanoTime();
                reg.flush(new ArrayList<>(List.of(reg.put(id, k % reg.leases.length, 10_000_000L + k))));
                Path p = mp.resolve(id.toString());
                while (!Files.exists(p)) { // each look is a FUSE lookup (negative entries are not cached)
                    if (System.nanoTime() - t0 > Duration.ofSeconds(30).toNanos()) {
                        throw new IOException("the mount did not find " + id + " within 30 s");
                    }
                    Thread.sleep(0, 200_000);
                }
                seen[k] = (System.nanoTime() - t0) / 1e6;
                Thread.sleep(20);
            }
            row("etcd", n, up, ls + " (" + listed + " entries)", seen, mount.residentBytes(), etcd.residentBytes());
        }
    }

    private void measurePolled(BenchPool pool, int n, int changes, Path dir) throws Exception {
        progress("polling, " + n + " projects: creating the datasets on two servers (setup, not timed)");
        DatasetName a = pool.createRoot("fleet-polled-a");
        DatasetName b = pool.createRoot("fleet-polled-b");
        createMany(a, n / 10, dir);
        createMany(b, n - n / 10, dir);
        DatasetName cache = pool.createRoot("fleet-polled-cache");
        DatasetName sender = pool.createRoot("fleet-polled-sender");
        List<Daemon> daemons = new ArrayList<>();
        try {
            List<String> addrs = new ArrayList<>();
            for (DatasetName root : List.of(a, b)) {
                Daemon.Server s = Daemon.startServer(jar, dir.resolve("logs"), root.value(), root.leaf(), dir);
                daemons.add(s.daemon());
                addrs.add(s.address());
            }
            Path mp = dir.resolve("mnt-polled");
            Files.createDirectories(mp);
            progress("polling, " + n + " projects: mount start-up and first ls");
            long start = System.nanoTime();
            Daemon mount = Daemon.start(jar, dir.resolve("logs"), "mount-polled", "mount", mp.toString(), "--servers",
                    String.join(",", addrs), "--cache-root", cache.value(), "--state",
                    dir.resolve("state-polled").toString(), "--tls", BenchTls.client().toString());
            daemons.add(mount);
            mount.awaitMounted(mp);
            double up = (System.nanoTime() - start) / 1e9;
            long t = System.nanoTime();
            long listed = Sh.run(LONG, "ls", mp.toString()).lines().count();
            double ls = (System.nanoTime() - t) / 1e9;
            progress("polling, " + n + " projects: " + changes + " new projects pushed, each timed until the mount "
                    + "finds it");
            double[] seen = new double[changes];
            java.util.Random phase = new java.util.Random(7);
            for (int k = 0; k < changes; k++) {
                // at a random moment of the mount's 10 s polling cycle, as a change would come
                Thread.sleep(phase.nextInt(10_000));
                ProjectId id = ProjectId.random();
                pool.zfs.createDataset(sender.child(id), DatasetProperties.create()
                        .canmount(DatasetProperties.CanMount.NOAUTO));
                Sh.run(Duration.ofMinutes(2), Daemon.javaBinary(), "-jar", jar.toString(), "push", id.toString(),
                        "--to", addrs.get(k % 2), "--root", sender.value(), "--tls", BenchTls.admin().toString());
                long t0 = System.nanoTime(); // the server's catalog has it from its ack on
                Path p = mp.resolve(id.toString());
                while (!Files.exists(p)) {
                    if (System.nanoTime() - t0 > Duration.ofSeconds(60).toNanos()) {
                        throw new IOException("the mount did not find " + id + " within 60 s");
                    }
                    Thread.sleep(1);
                }
                seen[k] = (System.nanoTime() - t0) / 1e6;
            }
            row("polling (10 s)", n, up, ls + " (" + listed + " entries)", seen, mount.residentBytes(), 0);
        } finally {
            for (int i = daemons.size() - 1; i >= 0; i--) {
                daemons.get(i).close();
            }
        }
    }

    private static void createMany(DatasetName parent, int n, Path dir) throws IOException {
        Path list = dir.resolve(parent.leaf() + ".names");
        Files.writeString(list, java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> parent.child(ProjectId.random()).value()).collect(Collectors.joining("\n")) + "\n");
        Sh.bash(LONG, "xargs -P 8 -n 1 zfs create -o canmount=noauto < " + list);
    }

    private void row(String side, int n, double up, String ls, double[] seen, long mountRss, long etcdRss) {
        double[] s = seen.clone();
        Arrays.sort(s);
        String lat = s.length == 0 ? "–" : String.format(Locale.ROOT, "%.0f / %.0f / %.0f", s[s.length / 2],
                s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.99) - 1)], s[s.length - 1]);
        md.add(String.format(Locale.ROOT, "| %s | %,d | %.2f | %s | %s | %.0f | %s |", side, n, up, ls.replaceFirst(
                "^(\\d+\\.\\d{3})\\d*", "$1"), lat, mountRss / 1048576.0,
                etcdRss == 0 ? "–" : String.format(Locale.ROOT, "%.0f", etcdRss / 1048576.0)));
        System.err.println("bench: " + md.get(md.size() - 1));
    }

    private static void progress(String what) {
        System.err.println("bench: " + what);
    }
}
