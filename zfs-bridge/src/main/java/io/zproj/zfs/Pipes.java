package io.zproj.zfs;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Runtime;

/**
 * The pipes between zproj and a streaming {@code zfs send} or {@code zfs receive}. A pipe holds
 * 64 KiB by default: while the JVM compresses or verifies a 1 MiB chunk, {@code zfs send} can
 * get only 64 KiB ahead and then sleeps, and {@code zfs receive} runs dry. Measured on the
 * 2-core reference machine, a 1 MiB pipe saves zfs-fuse about a fifth of its CPU time on a
 * 400 MB pull (fewer wake-ups), which is what the transfer waits for. The pipe is resized
 * through {@code /proc/<pid>/fd/<n>}: the JDK does not expose a child's pipe descriptors.
 */
final class Pipes {

    private static final System.Logger LOG = System.getLogger(Pipes.class.getName());
    /** The size asked for; the kernel caps an unprivileged process at fs.pipe-max-size. */
    static final int WANTED_BYTES = 1 << 20;
    private static final int F_SETPIPE_SZ = 1031;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 02000000;

    private Pipes() {}

    /** The libc calls this class makes. */
    public interface Calls {
        int open(String path, int flags);

        int fcntl(int fd, int cmd, int arg);

        int close(int fd);
    }

    /** Lazy, thread-safe loading; null where libc cannot be bound (the pipes then keep their size). */
    private static final class Holder {
        static final Calls CALLS = load();
        /** What each pipe is grown to: read once, not for every stream. */
        static final int SIZE = Math.min(WANTED_BYTES, maxBytes());

        private static Calls load() {
            try {
                return LibraryLoader.create(Calls.class).option(LibraryOption.SaveError, Boolean.TRUE).load("c");
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.WARNING, "cannot bind libc, stream pipes keep the kernel's default size: " + e);
                return null;
            }
        }
    }

    /**
     * Grows the pipe on descriptor {@code fd} of process {@code pid} to {@link #WANTED_BYTES}
     * (or fs.pipe-max-size, if smaller). Best effort: a process that already exited, or a kernel
     * that refuses, leaves the pipe as it was.
     *
     * @return the pipe's size now, or -1 if it could not be changed
     */
    static int enlarge(long pid, int fd) {
        Calls c = Holder.CALLS;
        if (c == null) {
            return -1;
        }
        String path = "/proc/" + pid + "/fd/" + fd;
        int pipe = c.open(path, O_RDWR | O_CLOEXEC);
        if (pipe < 0) {
            LOG.log(Level.DEBUG, () -> "cannot open " + path + " (errno " + errno() + "): the pipe keeps its size");
            return -1;
        }
        try {
            int size = c.fcntl(pipe, F_SETPIPE_SZ, Holder.SIZE);
            if (size < 0) {
                LOG.log(Level.DEBUG, () -> "F_SETPIPE_SZ on " + path + " failed (errno " + errno() + ")");
            }
            return size;
        } finally {
            c.close(pipe);
        }
    }

    private static int errno() {
        return Runtime.getRuntime(Holder.CALLS).getLastError();
    }

    /**
     * fs.pipe-max-size: what an unprivileged process may ask for (root may ask for more; we do
     * not). Read by lines: {@code Files.readString} of a {@code /proc/sys} file returns its
     * first byte only (JDK 17, seen here), which would shrink the pipe to one page.
     */
    static int maxBytes() {
        try {
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/pipe-max-size")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return WANTED_BYTES;
        }
    }
}
