package io.zproj.bench;

import io.zproj.cache.ProjectTransfers;
import io.zproj.cache.TransferListener;
import io.zproj.server.ReplicaServer;
import io.zproj.server.ServerConfig;
import io.zproj.transport.Compression;
import io.zproj.transport.Transport;
import io.zproj.transport.TransportConfig;
import io.zproj.transport.tls.NodeTls;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Zfs;
import io.zproj.zfs.ZfsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

/**
 * {@code ./zproj bench transfer}: throughput of a {@code zproj pull} over loopback against the
 * local {@code zfs send | zfs recv} pipe on the same pool (the limit here), and bytes on the
 * wire against raw stream bytes. Runs are interleaved; medians with min and max go to
 * {@code transfer.md} and every run to {@code transfer.csv}.
 */
public final class TransferBench {

    private static final Path INCLUDE = Path.of("/usr/include");

    private record Sample(String system, String project, int run, double seconds, long rawBytes, long wireBytes) {}

    @picocli.CommandLine.Command(name = "zproj bench transfer")
    static final class Line {
        @picocli.CommandLine.Option(names = "--out", paramLabel = "DIR")
        Path out = Path.of("bench/results");
        @picocli.CommandLine.Option(names = "--runs", paramLabel = "N")
        int runs = 5;
        @picocli.CommandLine.Option(names = "--random-mb", paramLabel = "N")
        int randomMb = 256;
    }

    public static void main(String[] args) throws Exception {
        Line l = Args.parse(new Line(), args);
        Files.createDirectories(l.out);
        new TransferBench().run(l.out, l.runs, l.randomMb);
    }

    private void run(Path out, int runs, int randomMb) throws Exception {
        Path dir = Files.createTempDirectory("zproj-bench-");
        List<Sample> samples = new ArrayList<>();
        try (Zfs zfs = Zfs.open(ZfsConfig.defaults()); Transport transport = Transport.create(TransportConfig.defaults());
                Transport tlsServer = Transport.create(TransportConfig.defaults(),
                        Optional.of(NodeTls.load(BenchTls.server(), Optional.of(BenchTls.crl()))));
                Transport lz4Server = Transport.create(TransportConfig.defaults().withCompression(Compression.LZ4),
                        Optional.of(NodeTls.load(BenchTls.server(), Optional.of(BenchTls.crl()))));
                Transport tlsClient = Transport.create(TransportConfig.defaults(),
                        Optional.of(NodeTls.load(BenchTls.client(), Optional.empty())));
                BenchPool pool = BenchPool.create(zfs, dir)) {
            DatasetName srv = pool.createRoot("srv");
            DatasetName pipe = pool.createRoot("pipe");
            DatasetName cli = pool.createRoot("cli");
            progress("seeding: /usr/include + " + randomMb + " MiB of random data, and /usr/include alone");
            ProjectId mixed = seed(zfs, srv, dir, randomMb);
            ProjectId text = seed(zfs, srv, dir, 0);
            ServerConfig config = ServerConfig.of(srv, new InetSocketAddress("127.0.0.1", 0))
                    .withStateDir(dir.resolve("state")).withName("bench");
            ServerConfig tlsConfig = ServerConfig.of(srv, new InetSocketAddress("127.0.0.1", 0))
                    .withStateDir(dir.resolve("state-tls")).withName("bench-tls");
            ServerConfig lz4Config = ServerConfig.of(srv, new InetSocketAddress("127.0.0.1", 0))
                    .withStateDir(dir.resolve("state-lz4")).withName("bench-lz4");
            try (ReplicaServer server = ReplicaServer.start(zfs, transport, config, Clock.systemUTC());
                    ReplicaServer tls = ReplicaServer.start(zfs, tlsServer, tlsConfig, Clock.systemUTC());
                    ReplicaServer lz4 = ReplicaServer.start(zfs, lz4Server, lz4Config, Clock.systemUTC())) {
                ProjectTransfers transfers = new ProjectTransfers(zfs, transport, "bench");
                ProjectTransfers tlsTransfers = new ProjectTransfers(zfs, tlsClient, "bench-client");
                for (int r = 1; r <= runs; r++) {
                    for (ProjectId p : List.of(mixed, text)) {
                        String name = p.equals(mixed) ? "mixed" : "text";
                        samples.add(pipe(pool, srv.child(p), pipe.child(p), name, r));
                        samples.add(pull(zfs, transfers, p, cli, server.address(), "zproj", name, r));
                        samples.add(pull(zfs, tlsTransfers, p, cli, tls.address(), "zproj-tls", name, r));
                        samples.add(pull(zfs, tlsTransfers, p, cli, lz4.address(), "zproj-tls-lz4", name, r));
                    }
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Report.write(out, "transfer", samples.stream().map(s -> new Report.Row(s.system(), s.project(), s.run(),
                s.seconds(), s.rawBytes(), s.wireBytes())).toList(), describe(runs, randomMb));
        progress("results in " + out.resolve("transfer.md"));
    }

    private static String describe(int runs, int randomMb) {
        return "Each run moves the project's newest snapshot into an empty dataset of the same zfs-fuse pool: "
                + "`pipe` is `zfs send | zfs recv` through a shell pipe, `zproj` is `zproj pull` from a replica "
                + "server over loopback (checksums, backpressure; chunks stored, not compressed, as the default "
                + "policy does on loopback) into `zfs recv`, in plain text; `zproj-tls` the same over mutual TLS 1.3 ("
                + tlsProvider() + "), as users run it; `zproj-tls-lz4` over TLS with every chunk LZ4-compressed, as "
                + "between hosts. "
                + "Projects: `mixed` = /usr/include (text) + " + randomMb + " MiB of random bytes; "
                + "`text` = /usr/include alone. " + runs + " runs, interleaved.";
    }

    private static ProjectId seed(Zfs zfs, DatasetName root, Path dir, int randomMb) throws IOException {
        ProjectId id = ProjectId.random();
        DatasetName ds = root.child(id);
        zfs.createDataset(ds, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
        Path mnt = dir.resolve("seed-" + id);
        zfs.mount(ds, mnt);
        Sh.run(Duration.ofMinutes(10), "cp", "-a", INCLUDE.toString(), mnt.resolve("include").toString());
        if (randomMb > 0) {
            Random random = new Random(1);
            byte[] buf = new byte[1 << 20];
            try (OutputStream o = Files.newOutputStream(mnt.resolve("random.bin"))) {
                for (int i = 0; i < randomMb; i++) {
                    random.nextBytes(buf);
                    o.write(buf);
                }
            }
        }
        zfs.unmount(ds);
        zfs.snapshot(ds);
        return id;
    }

    private static Sample pipe(BenchPool pool, DatasetName source, DatasetName target, String project, int run)
            throws Exception {
        Zfs zfs = pool.zfs;
        zfs.destroyDataset(target);
        Snapshot snap = zfs.newestSnapshot(source).orElseThrow();
        progress("run " + run + ": pipe " + project);
        long start = System.nanoTime();
        Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c",
                "zfs send " + snap.name().full() + " | zfs recv " + target.value())
                .redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes());
        }
        if (p.waitFor() != 0) {
            throw new IOException("zfs send | zfs recv failed: " + output);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        long raw = pool.streamBytes(snap);
        return new Sample("pipe", project, run, secs, raw, raw);
    }

    private static String tlsProvider() {
        try {
            return NodeTls.load(BenchTls.client(), Optional.empty()).provider();
        } catch (IOException e) {
            return "?";
        }
    }

    private static Sample pull(Zfs zfs, ProjectTransfers transfers, ProjectId id, DatasetName root,
            InetSocketAddress server, String system, String project, int run) throws Exception {
        zfs.destroyDataset(root.child(id));
        progress("run " + run + ": " + system + " pull " + project);
        ProjectTransfers.PullOutcome r = transfers.pull(id, root, List.of(server), TransferListener.NONE);
        return new Sample(system, project, run, r.elapsed().toNanos() / 1e9, r.stats().rawBytes(),
                r.stats().wireBytes());
    }

    static void progress(String what) {
        System.err.println("bench: " + what);
    }
}
