package io.zproj.cli;

import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.PoolInfo;
import io.zproj.zfs.PoolName;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.ReceiveOptions;
import io.zproj.zfs.SendStream;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code zproj setup-embedded}: the data of the embedded default, made idempotently: a pool on
 * a sparse file, two replica roots, a cache root, and two demo projects with real content on
 * both replicas. Used by {@code ./zproj up}; safe to run again (it only adds what is missing).
 */
@Command(name = "setup-embedded", hidden = true,
        description = "Create (or import) the embedded default's pool, roots and demo projects.")
final class SetupEmbeddedCommand implements Callable<Integer> {

    /** The demo projects: fixed ids, so that up, down and up again see the same ones. */
    static final ProjectId HEADERS = ProjectId.parse("5d7e0c2a-4b1f-4e8a-9c3d-2a6f8b1e0d41");
    static final ProjectId SOURCES = ProjectId.parse("9a1c3e5f-7b2d-4f6a-8e0c-1d3f5a7b9c02");

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, description = "directory for the pool file and state")
    Path data;

    @Option(names = "--pool", defaultValue = "zproj", description = "pool name (default zproj)")
    String pool;

    @Option(names = "--sources", description = "a source tree for the second demo project (default: none)")
    Path sources;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PoolName name = PoolName.of(pool);
        Files.createDirectories(data);
        try (Wiring w = Wiring.open()) {
            Zfs zfs = w.zfs;
            if (zfs.listPools().stream().map(PoolInfo::name).noneMatch(name::equals)) {
                Path vdev = data.resolve("pool.img");
                if (Files.exists(vdev)) {
                    zfs.importPool(name, data);
                    out.println("imported pool " + name + " from " + vdev);
                } else {
                    zfs.createPool(name, List.of(Zfs.createFileVdev(vdev, 8L << 30)),
                            DatasetProperties.create().atime(false).compression("lz4"));
                    out.println("created pool " + name + " on " + vdev + " (sparse, 8 GiB)");
                }
            }
            DatasetName root = name.rootDataset();
            for (String child : List.of("replica-a", "replica-b", "cache")) {
                if (!zfs.exists(root.child(child))) {
                    zfs.createDataset(root.child(child), DatasetProperties.create());
                }
            }
            seed(zfs, root, HEADERS, Path.of("/usr/include/linux"), out);
            if (sources != null && Files.isDirectory(sources)) {
                seed(zfs, root, SOURCES, sources, out);
            } else {
                seed(zfs, root, SOURCES, Path.of("/usr/share/doc"), out);
            }
        }
        return 0;
    }

    /** Creates a project from a copy of {@code content} on replica-a, and copies it to replica-b. */
    private void seed(Zfs zfs, DatasetName root, ProjectId id, Path content, PrintWriter out) throws IOException {
        DatasetName a = root.child("replica-a").child(id);
        DatasetName b = root.child("replica-b").child(id);
        if (!zfs.exists(a)) {
            zfs.createDataset(a, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
            Path mnt = data.resolve("seed");
            zfs.mount(a, mnt);
            try {
                CopyTree.copy(content, mnt, SetupEmbeddedCommand::notContent);
            } finally {
                zfs.unmount(a);
            }
            zfs.snapshot(a);
            out.println("created demo project " + id + " from " + content);
        }
        if (!zfs.exists(b)) {
            Snapshot s = zfs.newestSnapshot(a).orElseThrow();
            try (SendStream send = zfs.send(s.name(), Optional.empty())) {
                zfs.receive(b, send.stream(), ReceiveOptions.defaults());
                send.finish();
            }
        }
    }

    /** Build output and history are not project content. */
    private static boolean notContent(String rel) {
        return rel.equals(".git") || rel.startsWith(".git/") || rel.matches("(.*/)?target(/.*)?");
    }
}
