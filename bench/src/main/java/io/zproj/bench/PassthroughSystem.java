package io.zproj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * zproj for a process that entered its project before the native mount appeared: its current
 * directory is the FUSE directory beneath the native mount, and the daemon serves it. The bench
 * reaches that directory through a bind of the {@code /projects} mount alone (a bind does not
 * carry the project mounts on top of it), in a project of its own.
 */
final class PassthroughSystem implements BenchSystem {

    private final ZprojSystem zproj;
    private final Path under;
    private boolean bound;

    PassthroughSystem(ZprojSystem zproj, Path base) {
        this.zproj = zproj;
        this.under = base.resolve("zproj").resolve("beneath");
    }

    ZprojSystem zproj() {
        return zproj;
    }

    @Override
    public String name() {
        return "passthrough";
    }

    @Override
    public void start() throws IOException {
        Files.createDirectories(under);
        Sh.run(Duration.ofMinutes(1), "mount", "--bind", zproj.mountpoint().toString(), under.toString());
        bound = true;
        try (var first = Files.list(workDir())) { // fetched through the daemon, and served by it from now on
            first.count();
        }
    }

    @Override
    public Path workDir() {
        return under.resolve(zproj.passthroughProject().toString());
    }

    @Override
    public String coldMeans() {
        return "as for zproj";
    }

    @Override
    public void close() {
        if (bound) {
            Mounts.unmountLazily(under);
            bound = false;
        }
    }
}
