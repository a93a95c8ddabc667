package io.zproj.cli;

import io.zproj.cache.CacheConfig;
import io.zproj.cache.ControlServer;
import io.zproj.zfs.MountTable;
import io.zproj.cache.ProjectCache;
import io.zproj.fusefs.ProjectsMount;
import io.zproj.transport.Addresses;
import io.zproj.zfs.DatasetName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code zproj mount}: the lazy {@code /projects} namespace, until unmounted or SIGTERM. */
@Command(name = "mount", description = {
        "Mount every project the servers know at MOUNTPOINT/<uuid>. Nothing is fetched until someone looks",
        "inside a project; then it is streamed from the best replica into <cache-root>/<uuid> and served",
        "from there. Runs until SIGTERM or until the mountpoint is unmounted."})
final class MountCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    TlsOptions tls;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "e.g. /projects")
    Path mountpoint;

    @Option(names = "--servers", description = "HOST:PORT[,HOST:PORT...] of replica servers, asked for their"
            + " projects every 10 s (give this or --etcd)")
    String servers;

    @Option(names = "--etcd", paramLabel = "URL[,URL...]", description = "etcd endpoints, e.g. http://10.0.0.5:2379:"
            + " the servers publish themselves and their projects there and this mount follows a watch, no polling")
    String etcd;

    @Option(names = "--cache-root", required = true, description = "an existing local dataset for the cached projects")
    String cacheRoot;

    @Option(names = "--state", description = "state directory (default /var/lib/zproj/client)")
    Path state;

    @Option(names = "--writeback-interval", defaultValue = "30s",
            description = "how often local changes are written back to the replicas (default 30s)")
    String writebackInterval;

    @Option(names = "--cache-size", defaultValue = "0",
            description = "most bytes the cached projects may use, e.g. 50G (default 0: no limit)")
    String cacheSize;

    @Option(names = "--keep", defaultValue = "all=1h,hourly=1d,daily=14d,weekly=61d",
            description = "which local zproj snapshots to keep after a write-back (default ${DEFAULT-VALUE})")
    String keep;

    @Mixin
    private MetricsOption metrics;

    @Option(names = "--max-mounted", defaultValue = "500",
            description = "most projects mounted at once; idle ones above it are unmounted (default ${DEFAULT-VALUE};"
                    + " zfs-fuse mounts at most 1000 filesystems)")
    int maxMounted;

    @Option(names = "--name", description = "this host's name as servers know it, the same after every restart"
            + " (default: the host name); servers hold the snapshot each named client is based on")
    String name;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path mp = mountpoint.toAbsolutePath().normalize();
        clearDeadMount(mp);
        Files.createDirectories(mp);
        mp = mp.toRealPath(); // the kernel's mount table names real paths: so must we
        Path stateDir = (state == null ? Path.of("/var/lib/zproj/client") : state).toAbsolutePath();
        Files.createDirectories(stateDir);
        stateDir = stateDir.toRealPath();
        if ((servers == null || servers.isBlank()) == (etcd == null || etcd.isBlank())) {
            throw new IllegalArgumentException("give either --servers HOST:PORT,... or --etcd URL,...");
        }
        CacheConfig config = CacheConfig.of(DatasetName.of(cacheRoot), stateDir,
                        servers == null ? java.util.List.of() : Addresses.parseList(servers))
                .withEtcd(EtcdOptions.endpoints(etcd))
                .withWriteBack(Durations.parse(writebackInterval)).withKeep(io.zproj.zfs.KeepPolicy.parse(keep))
                .withCacheSize(Sizes.parse(cacheSize)).withMaxMounted(maxMounted);
        Optional<io.zproj.transport.MetricsEndpoint> endpoint = metrics.start();
        Wiring wiring = Wiring.open(tls.client());
        ProjectCache cache;
        ProjectsMount mount;
        ControlServer control;
        try {
            cache = ProjectCache.open(wiring.zfs, wiring.transport, wiring.transport.name(name != null ? name : Wiring.clientName()), config,
                    Clock.systemUTC());
            Files.createDirectories(config.mountBase());
            control = ControlServer.start(stateDir, cache); // ready before the mountpoint appears
            mount = ProjectsMount.mount(cache, mp, config.mountBase());
        } catch (IOException | RuntimeException e) {
            wiring.close();
            endpoint.ifPresent(io.zproj.transport.MetricsEndpoint::close);
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            control.close();
            mount.close();
            cache.close(); // writes back what changed, then unmounts the backing datasets
            wiring.close();
            endpoint.ifPresent(io.zproj.transport.MetricsEndpoint::close);
            stopped.countDown();
        }, "zproj-unmount"));
        spec.commandLine().getOut().println("zproj mount: " + cache.projects().size() + " projects at " + mp
                + " (cache " + config.cacheRoot() + ", state " + stateDir + ")");
        spec.commandLine().getOut().flush();
        while (!stopped.await(2, TimeUnit.SECONDS)) {
            if (!isMounted(mp)) {
                spec.commandLine().getOut().println("zproj mount: " + mp + " was unmounted; stopping");
                System.exit(0); // runs the shutdown hook: backing datasets unmounted, state closed
            }
        }
        return 0;
    }

    private static boolean isMounted(Path mp) {
        return MountTable.isMounted(mp);
    }

    /**
     * A mountpoint in use by a live mount is refused. One left by a daemon that was killed (its
     * FUSE connection is gone: ENOTCONN) is cleared, with the project mounts left on top of it:
     * lazily, the one place zproj detaches lazily, since nothing can be served from under a dead
     * mount.
     */
    static void clearDeadMount(Path mp) throws IOException, InterruptedException {
        if (!isMounted(mp)) {
            return;
        }
        try {
            Files.readAttributes(mp, java.nio.file.attribute.BasicFileAttributes.class);
            throw new io.zproj.cache.CacheException(mp + " is already mounted (" + MountTable.at(mp)
                    .map(m -> m.fsType() + " " + m.source()).orElse("?") + "); unmount it or choose another mountpoint");
        } catch (java.nio.file.FileSystemException e) {
            if (e.getMessage() == null || !e.getMessage().contains("not connected")) {
                throw e;
            }
        }
        for (Path p : io.zproj.cache.NativeMounts.detachLeftovers(mp)) {
            System.err.println("zproj mount: detached " + p + ", left by a daemon that was killed");
        }
        try {
            io.zproj.cache.NativeMounts.detachLazily(mp);
        } catch (IOException e) {
            throw new io.zproj.cache.CacheException("cannot clear the dead mount at " + mp + " left by a daemon that"
                    + " was killed (umount -l failed: " + e.getMessage() + "); clear it by hand and start again", e);
        }
        System.err.println("zproj mount: cleared the dead mount at " + mp + " left by a daemon that was killed");
    }
}
