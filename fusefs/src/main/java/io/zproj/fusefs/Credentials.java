package io.zproj.fusefs;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * Makes a FUSE thread act as the process it serves: the thread's filesystem user and group
 * ({@code setfsuid}/{@code setfsgid}) and supplementary groups (the raw {@code setgroups}
 * syscall, which, unlike glibc's wrapper, changes the calling thread only) become the caller's,
 * so the backing filesystem checks every permission and sets every owner exactly as it would for
 * the caller: the daemon decides nothing about access itself. Each FUSE thread also gets its own
 * umask of 0 ({@code unshare(CLONE_FS)}): the kernel already applied the caller's.
 */
final class Credentials {

    private static final System.Logger LOG = System.getLogger(Credentials.class.getName());
    static final boolean RAW_SETGROUPS = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));

    private final LibC libc;
    /** A caller's supplementary groups, by thread id, uid and gid: read from /proc once a second at most. */
    private final Cache<String, int[]> groups = Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(1))
            .maximumSize(10_000).build();
    private volatile boolean warned;

    /**
     * @throws IllegalStateException on a host where a thread's groups cannot be set (only x86_64's
     *                               raw setgroups is bound): the passthrough would act with root's groups
     */
    Credentials(LibC libc) {
        if (!RAW_SETGROUPS) {
            throw new IllegalStateException("the passthrough needs per-thread credentials, bound here for x86_64 only,"
                    + " not " + System.getProperty("os.arch"));
        }
        this.libc = libc;
    }

    /**
     * Acts as the caller from now on, on this thread. Every call sets all three: a FUSE thread
     * may come back as another Java thread, so nothing is assumed about what it was.
     */
    void become(int uid, int gid, long pid) {
        prepare();
        int[] g = groups.get(pid + ":" + uid + ":" + gid, k -> groupsOf(pid, gid));
        if (libc.syscall(LibC.SYS_SETGROUPS_X86_64, g.length, g) != 0) {
            warnOnce("setgroups failed (errno " + LibC.errno() + "): callers act with their own group only");
        }
        libc.setfsgid(gid);
        libc.setfsuid(uid);
    }

    /** Acts as the daemon (root) again, on this thread: to open a project's backing directory. */
    void daemon() {
        libc.setfsuid(0);
        libc.setfsgid(0);
    }

    /**
     * Gives the thread a umask of its own, 0 (the kernel applied the caller's): on every call,
     * since a thread id can be reused by a new thread that shares the daemon's (cheap once done).
     */
    private void prepare() {
        if (libc.unshare(LibC.CLONE_FS) == 0) {
            libc.umask(0);
        } else {
            warnOnce("unshare(CLONE_FS) failed (errno " + LibC.errno() + "): new files get the daemon's umask too");
        }
    }

    /** The caller's groups from {@code /proc/<tid>/status}; just its group if the process is gone. */
    static int[] groupsOf(long pid, int gid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Groups:")) {
                    String list = line.substring(7).strip();
                    return list.isEmpty() ? new int[0]
                            : Arrays.stream(list.split("\\s+")).mapToInt(Integer::parseInt).sorted().toArray();
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone already: its own group is all it can have
        }
        return new int[] {gid};
    }

    private void warnOnce(String what) {
        if (!warned) {
            warned = true;
            LOG.log(Level.WARNING, what);
        }
    }
}
