package io.zproj.cache;

import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The native path: a local project's backing mount bound over its directory in the
 * {@code /projects} mount ({@code mount --bind -o nosuid,nodev}), so that every path walk into
 * {@code /projects/<uuid>} that starts afterwards is the kernel's ZFS mount and the daemon is
 * not in the data path. Mounts are made in the mount namespace of the daemon: it must run in the
 * host's namespace for other processes to see them.
 *
 * <p>Never call these from a thread that is answering a FUSE request for the same project: the
 * mount walks {@code /projects/<uuid>}, which the kernel may have to ask the daemon about.
 */
public final class NativeMounts {

    private static final System.Logger LOG = System.getLogger(NativeMounts.class.getName());
    private static final long COMMAND_SECONDS = 60;

    private final Path mountpoint;

    NativeMounts(Path mountpoint) {
        this.mountpoint = mountpoint;
    }

    Path mountpoint() {
        return mountpoint;
    }

    /** Where the project is seen: {@code <mountpoint>/<uuid>}. */
    Path dir(ProjectId id) {
        return mountpoint.resolve(id.toString());
    }

    /** Whether the project's native mount is there. */
    boolean isBound(ProjectId id) {
        return MountTable.isMounted(dir(id));
    }

    /** Binds {@code backing} over the project's directory, {@code nosuid,nodev}; nothing if it is there already. */
    void bind(ProjectId id, Path backing) throws IOException {
        Path dir = dir(id);
        if (isBound(id)) {
            return;
        }
        run(List.of("mount", "--bind", "-o", "nosuid,nodev", backing.toString(), dir.toString()),
                "cannot mount " + backing + " over " + dir);
    }

    /**
     * Takes the native mount away (never lazily: a live project is never detached).
     *
     * @throws ProjectBusyException if a process has its current directory or a file open in it
     */
    void unbind(ProjectId id) throws IOException {
        Path dir = dir(id);
        if (!isBound(id)) {
            return;
        }
        try {
            run(List.of("umount", dir.toString()), "cannot unmount " + dir);
        } catch (IOException e) {
            if (e.getMessage().contains("busy")) {
                throw new ProjectBusyException(id + " is in use", Holders.of(dir));
            }
            throw e;
        }
    }

    /**
     * Detaches what a previous daemon left mounted below the mountpoint (it was killed and its
     * FUSE mount is dead): lazily, since nothing can be served from under a dead mount anyway.
     *
     * @return the mountpoints detached
     */
    public static List<Path> detachLeftovers(Path mountpoint) throws IOException {
        List<Path> done = new ArrayList<>();
        for (MountTable.Mount m : MountTable.below(mountpoint)) {
            run(List.of("umount", "-l", m.mountpoint().toString()), "cannot detach " + m.mountpoint());
            done.add(m.mountpoint());
            LOG.log(Level.WARNING, "detached " + m.mountpoint() + " (" + m.fsType() + " " + m.source()
                    + "), left by a daemon that did not stop cleanly");
        }
        return done;
    }

    /** Runs mount or umount; a failure says what failed and what the command printed. */
    static void run(List<String> cmd, String what) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CacheException(what + ": " + cmd.get(0) + " did not finish within " + COMMAND_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new CacheException(what + ": interrupted");
        }
        if (p.exitValue() != 0) {
            throw new CacheException(what + ": " + (out.isEmpty() ? cmd.get(0) + " exited with " + p.exitValue() : out));
        }
    }
}
