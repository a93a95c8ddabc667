package io.zproj.cache;

import io.zproj.zfs.MountTable;
import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The native path: a local project's backing mount bound over its directory in the
 * {@code /projects} mount ({@code mount --bind -o nosuid,nodev}), so that every path walk into
 * {@code /projects/<uuid>} that starts afterwards is the kernel's ZFS mount and the daemon is
 * not in the data path. Mounts are made in the mount namespace of the daemon: it must run in the
 * host's namespace for other processes to see them.
 *
 * <p>Binds are made on a thread of their own, asked for with {@link #request}: never on a thread
 * answering a FUSE request, since the mount walks {@code /projects/<uuid>} and waits in the kernel
 * for every request the daemon is answering inside it.
 */
public final class NativeMounts {

    private static final System.Logger LOG = System.getLogger(NativeMounts.class.getName());
    private static final long COMMAND_SECONDS = 60;

    private final ExecutorService mounter = Executors.newSingleThreadExecutor(Threads.named("zproj-native-mount"));
    /** Projects mounted natively, or queued to be: what FUSE threads check, without reading the mount table. */
    private final Set<ProjectId> wanted = ConcurrentHashMap.newKeySet();
    private final Map<ProjectId, Object> bindLocks = new ConcurrentHashMap<>();
    private volatile Path mountpoint;
    private volatile Function<ProjectId, Path> backingOf = id -> null;
    private volatile boolean closing;
    /** When a bind of each project last failed: it is not tried again for {@value #RETRY_MILLIS} ms. */
    private final Map<ProjectId, Long> failedAt = new ConcurrentHashMap<>();
    private static final long RETRY_MILLIS = 30_000;

    /** Where each project's backing mount is, if it is mounted. */
    void backedBy(Function<ProjectId, Path> lookup) {
        this.backingOf = lookup;
    }

    /** From now on projects are mounted natively under {@code mountpoint} (the running namespace mount). */
    void attach(Path mountpoint) {
        this.mountpoint = mountpoint;
    }

    boolean attached() {
        return mountpoint != null;
    }

    /** Where the project is seen: {@code <mountpoint>/<uuid>}; null before {@link #attach}. */
    Path dir(ProjectId id) {
        Path mp = mountpoint;
        return mp == null ? null : mp.resolve(id.toString());
    }

    /** Whether the project's native mount is there. */
    boolean isBound(ProjectId id) {
        Path dir = dir(id);
        return dir != null && MountTable.isMounted(dir);
    }

    /**
     * The lock between making a native mount and taking a project's mounts away. A bind waits in
     * the kernel for every request the daemon is answering inside that directory, and one of them
     * may be waiting for a fault-in, which holds the project's lock: so a bind must not hold that.
     * Taken after the project's lock, never before; while it is held the backing mount stays, so
     * a request waiting on it finds the project ready without the project's lock.
     */
    Object bindLockFor(ProjectId id) {
        return bindLocks.computeIfAbsent(id, k -> new Object());
    }

    /** Asks for the native mount of a project whose backing is mounted; cheap when asked already. */
    void request(ProjectId id) {
        Long failed = failedAt.get(id);
        if (failed != null && System.currentTimeMillis() - failed < RETRY_MILLIS) {
            return;
        }
        if (attached() && !closing && wanted.add(id)) {
            try {
                mounter.execute(() -> bindNow(id));
            } catch (RejectedExecutionException e) {
                wanted.remove(id); // shutting down
            }
        }
    }

    /** Runs {@code task} on the mounter thread, in order with the binds asked for. */
    void execute(Runnable task) {
        try {
            mounter.execute(task);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    /** Binds now, on the calling thread: the mounter's, or one that answers no FUSE request. */
    void bindNow(ProjectId id) {
        Path dir = dir(id);
        if (dir == null || closing) {
            wanted.remove(id);
            return;
        }
        boolean bound = false;
        Path backing = null;
        try {
            synchronized (bindLockFor(id)) {
                backing = backingOf.apply(id);
                if (backing != null && !MountTable.isMounted(backing)) {
                    throw new CacheException(backing + " is not mounted"); // never bind the empty directory
                }
                if (backing != null) {
                    if (!MountTable.isMounted(dir)) {
                        run(List.of(MOUNT, "--bind", "-o", "nosuid,nodev", backing.toString(), dir.toString()),
                                "cannot mount " + backing + " over " + dir);
                    }
                    bound = true;
                    failedAt.remove(id);
                }
            }
        } catch (IOException | RuntimeException e) {
            failedAt.put(id, System.currentTimeMillis());
            LOG.log(Level.WARNING, "cannot mount " + id + " natively (it is served through the daemon; tried again in "
                    + RETRY_MILLIS / 1000 + " s at the earliest): " + e.getMessage());
        }
        if (!bound) {
            wanted.remove(id);
            if (backing == null && backingOf.apply(id) != null) {
                request(id); // mounted meanwhile: a request made then found this one still wanted
            }
        }
    }

    /** Returns once every bind asked for so far is made (or failed). */
    void settle() throws InterruptedException {
        try {
            mounter.submit(() -> { }).get();
        } catch (ExecutionException | RejectedExecutionException e) {
            // a no-op cannot fail; a stopped mounter has nothing left to do
        }
    }

    /**
     * Takes the native mount away (never lazily: a live project is never detached). Callers hold
     * {@link #bindLockFor}.
     *
     * @throws ProjectBusyException if a process has its current directory or a file open in it
     */
    void unbind(ProjectId id) throws IOException {
        Path dir = dir(id);
        if (dir == null) {
            return;
        }
        if (MountTable.isMounted(dir)) {
            try {
                run(List.of(UMOUNT, dir.toString()), "cannot unmount " + dir);
            } catch (IOException e) {
                if (e.getMessage().contains("busy")) {
                    throw new ProjectBusyException(id + " is in use", Holders.of(dir));
                }
                throw e;
            }
        }
        wanted.remove(id);
    }

    /** Asks again for the native mount of each of {@code mounted} that lacks one (someone unmounted it). */
    void remount(Set<ProjectId> mounted) {
        if (!attached() || mounted.isEmpty()) {
            return;
        }
        try {
            Set<Path> present = new HashSet<>();
            MountTable.read().forEach(m -> present.add(m.mountpoint()));
            for (ProjectId id : mounted) {
                if (!present.contains(dir(id))) {
                    wanted.remove(id); // a queued bind that finds it mounted does nothing
                    request(id);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot read the mount table: " + e.getMessage());
        }
    }

    /**
     * Stops making mounts and takes every native mount of {@code ids} away, so that the namespace
     * mount can go. One in use stays.
     *
     * @return one line per project still mounted, with who holds it
     */
    List<String> detachAll(List<ProjectId> ids) {
        List<String> busy = new ArrayList<>();
        closing = true; // queued binds and start-up mounts do nothing from now on
        mounter.shutdownNow();
        try {
            if (!mounter.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "native mounts still being made 60 s after shutdown began");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!attached()) {
            return busy;
        }
        for (ProjectId id : ids) {
            synchronized (bindLockFor(id)) {
                try {
                    unbind(id);
                } catch (IOException e) {
                    busy.add(e.getMessage());
                    LOG.log(Level.WARNING, "cannot unmount " + dir(id) + ": " + e.getMessage());
                }
            }
        }
        return busy;
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
            detachLazily(m.mountpoint());
            done.add(m.mountpoint());
            LOG.log(Level.WARNING, "detached " + m.mountpoint() + " (" + m.fsType() + " " + m.source()
                    + "), left by a daemon that did not stop cleanly");
        }
        return done;
    }

    /** Detaches the mount at {@code dir} lazily: only for a mount whose daemon is dead (nothing is served from under it). */
    public static void detachLazily(Path dir) throws IOException {
        run(List.of(UMOUNT, "-l", dir.toString()), "cannot detach " + dir);
    }

    /** Where util-linux's tools are looked for, in order, before the {@code PATH}. */
    private static final List<String> TOOL_DIRS = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin");

    /** {@code mount} and {@code umount}, found once (see {@link #tool}). */
    static final String MOUNT = tool("mount");
    static final String UMOUNT = tool("umount");

    /**
     * The absolute path of a system tool ({@code mount}, {@code umount}): a daemon running as root
     * does not run whatever its {@code PATH} happens to name first. The bare name (a {@code PATH}
     * lookup) only where none of the usual directories has it.
     */
    static String tool(String name) {
        for (String dir : TOOL_DIRS) {
            Path p = Path.of(dir, name);
            if (java.nio.file.Files.isRegularFile(p) && java.nio.file.Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return name;
    }

    /**
     * Runs mount or umount (in the C locale, so its messages can be read), at most
     * {@value #COMMAND_SECONDS} s; a failure says what failed and what the command printed.
     */
    static void run(List<String> cmd, String what) throws IOException {
        java.io.File out = java.io.File.createTempFile("zproj-mount", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("LC_ALL", "C");
            Process p = pb.start();
            try {
                if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new CacheException(what + ": " + cmd.get(0) + " did not finish within " + COMMAND_SECONDS
                            + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                throw new CacheException(what + ": interrupted");
            }
            if (p.exitValue() != 0) {
                String text = new String(java.nio.file.Files.readAllBytes(out.toPath()), StandardCharsets.UTF_8).strip();
                throw new CacheException(what + ": " + (text.isEmpty() ? cmd.get(0) + " exited with " + p.exitValue()
                        : text.length() > 1000 ? text.substring(0, 1000) : text));
            }
        } finally {
            java.nio.file.Files.deleteIfExists(out.toPath());
        }
    }
}
