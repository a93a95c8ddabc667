package io.zproj.bench;

import io.zproj.cache.ControlServer;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * zproj as a user runs it: two replica servers on loopback (each its own JVM, its root a
 * dataset of the bench pool) and the {@code zproj mount} daemon; workloads run inside one
 * project under the mount, faulted in by a first look and then entered as a user's next shell
 * would: on its native ZFS mount. Projects are seeded on both replicas
 * before {@link #start}, so the servers find them at their first scan.
 */
final class ZprojSystem implements BenchSystem {

    /** Write-back runs when a workload asks (zproj sync), not in the middle of another one's timing. */
    static final String WRITEBACK_INTERVAL = "1h";

    private final BenchPool pool;
    private final Path jar;
    private final Path base;
    private final Path mountpoint;
    private final Path state;
    private final DatasetName rootA;
    private final DatasetName rootB;
    private final List<Daemon> daemons = new ArrayList<>();
    private ProjectId work;
    private ProjectId workBefore;

    ZprojSystem(BenchPool pool, Path jar, Path base) {
        this.pool = pool;
        this.jar = jar;
        this.base = base.resolve("zproj");
        this.mountpoint = this.base.resolve("projects");
        this.state = this.base.resolve("client");
        this.rootA = pool.dataset("replica-a");
        this.rootB = pool.dataset("replica-b");
    }

    @Override
    public String name() {
        return "zproj";
    }

    /** Creates the replica roots and the cache root. */
    void prepare() throws IOException {
        pool.createRoot("replica-a");
        pool.createRoot("replica-b");
        pool.createRoot("cache");
        work = addProject(base, 0);
        workBefore = addProject(base, 0);
    }

    /** A new project on both replicas, holding copies of {@code content}'s files up to {@code bytes}. */
    ProjectId addProject(Path content, long bytes) throws IOException {
        ProjectId id = pool.seedProject(rootA, content, bytes);
        pool.replicate(id, rootA, rootB);
        return id;
    }

    DatasetName replicaRoot() {
        return rootA;
    }

    @Override
    public void start() throws IOException {
        List<String> addresses = new ArrayList<>();
        for (DatasetName root : List.of(rootA, rootB)) {
            Daemon.Server s = Daemon.startServer(jar, base.resolve("logs"), root.value(), root.leaf(), base);
            daemons.add(s.daemon());
            addresses.add(s.address());
        }
        Files.createDirectories(mountpoint);
        daemons.add(Daemon.start(jar, base.resolve("logs"), "mount", "mount", mountpoint.toString(),
                "--servers", String.join(",", addresses), "--cache-root", pool.dataset("cache").value(), "--state", state.toString(),
                "--writeback-interval", WRITEBACK_INTERVAL, "--tls", BenchTls.client().toString())
                .awaitMounted(mountpoint));
        if (!Files.isDirectory(workDir())) {
            throw new IOException("the bench project " + work + " did not appear under " + mountpoint);
        }
        try (var first = Files.list(workDir())) { // the first look: fetched, then mounted natively
            first.count();
        }
        daemons.get(daemons.size() - 1).await("mount " + work + " natively", () -> Mounts.isMounted(workDir()));
    }

    /** The project the passthrough rows use: entered only through the mount beneath the native ones. */
    ProjectId passthroughProject() {
        return workBefore;
    }

    /** CPU milliseconds the daemons' JIT compilers used so far, all daemons together. */
    long compilerCpuMillis() {
        return daemons.stream().mapToLong(Daemon::compilerCpuMillis).sum();
    }

    Path mountpoint() {
        return mountpoint;
    }

    @Override
    public Path workDir() {
        return mountpoint.resolve(work.toString());
    }

    ProjectId workProject() {
        return work;
    }

    /**
     * One request to the mount daemon's control socket ({@code sync UUID}, {@code evict UUID}, ...).
     *
     * @return the answer's lines without the final OK
     * @throws IOException if the daemon answers FAILED
     */
    List<String> control(String request) throws IOException {
        List<String> lines = ControlServer.call(state, request);
        if (lines.isEmpty() || !lines.get(lines.size() - 1).equals("OK")) {
            throw new IOException("zproj " + request + ": " + String.join("; ", lines));
        }
        return lines.subList(0, lines.size() - 1);
    }

    @Override
    public String coldMeans() {
        return "kernel page, dentry and inode caches dropped (those of the /projects mount and of the local dataset"
                + " beneath it)";
    }

    /** Stops the mount (which writes back and unmounts), then the servers; never throws. */
    @Override
    public void close() {
        for (int i = daemons.size() - 1; i >= 0; i--) {
            daemons.get(i).close();
        }
        daemons.clear();
        try {
            if (Mounts.isMounted(mountpoint)) {
                Mounts.unmountLazily(mountpoint);
            }
        } catch (IOException e) {
            Suite.warn("could not read /proc/mounts: " + e.getMessage());
        }
    }
}
