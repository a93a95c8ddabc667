package io.zproj.fusefs;

import io.zproj.cache.Namespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * Resolves a path inside a project on its backing directory for an {@code *at} call, acting as
 * the caller: the project's directory is opened as the daemon (it sits under a directory only
 * root may enter), then the caller's identity is taken ({@link Credentials}) and everything else
 * is relative to that descriptor, so the backing filesystem checks the caller's permissions on
 * every component, and a path valid for the caller is valid here however long it is.
 */
final class BackingPaths {

    /** Longest relative path handed to one {@code *at} call; longer ones are walked in parts. */
    static final int MAX_RELATIVE = 3072;

    private final Namespace namespace;
    private final LibC libc;
    private final Credentials credentials;
    private final long backingBaseDevice;
    private final ThreadLocal<Pointer> statBuffer = ThreadLocal.withInitial(
            () -> jnr.ffi.Runtime.getSystemRuntime().getMemoryManager().allocateDirect(256));

    /** A resolved path: a directory descriptor and a path relative to it; closing it closes what it opened. */
    final class At implements AutoCloseable {
        final int dirfd;
        final String path;
        private final int[] fds;

        private At(int dirfd, String path, int[] fds) {
            this.dirfd = dirfd;
            this.path = path;
            this.fds = fds;
        }

        /** The same file as a path for calls without an {@code *at} form (truncate, xattrs). */
        String procPath() {
            return "/proc/self/fd/" + dirfd + "/" + path; // "/." for the directory itself, never the proc link
        }

        @Override
        public void close() {
            for (int fd : fds) {
                libc.close(fd);
            }
        }
    }

    /**
     * @param backingBase the directory under which the backing mounts are: a backing directory
     *                    on its device is not mounted
     */
    BackingPaths(Namespace namespace, LibC libc, Path backingBase) throws IOException {
        this.namespace = namespace;
        this.libc = libc;
        this.credentials = new Credentials(libc);
        this.backingBaseDevice = ((Number) Files.getAttribute(backingBase, "unix:dev")).longValue();
    }

    /** The backing directory, fetching the project if needed; ENOENT for a project nobody knows. */
    Path backing(Target t) throws ErrnoException, IOException {
        if (t.isRoot()) {
            throw new ErrnoException(Errnos.EPERM);
        }
        if (namespace.ready(t.project()).isEmpty() && namespace.attributes(t.project()).isEmpty()) {
            throw new ErrnoException(Errnos.ENOENT);
        }
        if (t.inSnapshots()) {
            if (t.snapshot() == null) {
                throw new ErrnoException(Errnos.EROFS); // the list of snapshots is the daemon's, read-only
            }
            try {
                return namespace.openSnapshot(t.project(), t.snapshot());
            } catch (java.nio.file.NoSuchFileException e) {
                throw new ErrnoException(Errnos.ENOENT);
            }
        }
        return namespace.open(t.project());
    }

    /** Resolves {@code t}, then acts as the caller ({@code uid}, {@code gid}, thread {@code pid}). */
    At at(Target t, int uid, int gid, long pid) throws ErrnoException, IOException {
        int root = openBacking(t);
        List<Integer> opened = new ArrayList<>(List.of(root));
        try {
            credentials.become(uid, gid, pid);
            return walk(root, t.rest().isEmpty() ? "." : t.rest().substring(1), opened);
        } catch (ErrnoException | RuntimeException e) {
            opened.forEach(libc::close);
            throw e;
        }
    }

    /** Acts as the caller for an operation on a descriptor it already has open. */
    void actAs(int uid, int gid, long pid) {
        credentials.become(uid, gid, pid);
    }

    /** Acts as the daemon, for what only the daemon may see (the statfs of the backing base). */
    void actAsDaemon() {
        credentials.daemon();
    }

    /** {@code rest} relative to {@code root}, in parts of at most {@link #MAX_RELATIVE}; descriptors opened go to {@code opened}. */
    private At walk(int root, String rest, List<Integer> opened) throws ErrnoException {
        if (rest.length() <= MAX_RELATIVE) {
            return new At(root, rest, new int[] {root});
        }
        int slash = rest.lastIndexOf('/');
        String leaf = rest.substring(slash + 1);
        String[] parents = rest.substring(0, slash).split("/");
        int dir = root;
        StringBuilder chunk = new StringBuilder();
        for (int i = 0; i <= parents.length; i++) {
            boolean flush = i == parents.length || chunk.length() + 1 + parents[i].length() > MAX_RELATIVE;
            if (flush && chunk.length() > 0) {
                int next = libc.openat(dir, chunk.toString(), LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
                if (next < 0) {
                    throw new ErrnoException(LibC.errno());
                }
                opened.add(next);
                dir = next;
                chunk.setLength(0);
            }
            if (i < parents.length) {
                chunk.append(chunk.length() == 0 ? "" : "/").append(parents[i]);
            }
        }
        return new At(dir, leaf, opened.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Opens the project's backing directory as the daemon, and makes sure it is the backing
     * mount, not the empty directory beneath it (which a concurrent unmount would leave): then
     * the project is opened (mounted) again.
     */
    private int openBacking(Target t) throws ErrnoException, IOException {
        credentials.daemon();
        for (int attempt = 0; ; attempt++) {
            Path dir = backing(t);
            int fd = libc.openat(LibC.AT_FDCWD, dir.toString(), LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
            if (fd < 0) {
                throw new ErrnoException(LibC.errno());
            }
            Pointer st = statBuffer.get();
            if (libc.fstat(fd, st) == 0 && st.getLong(0) != backingBaseDevice) { // st_dev leads struct stat
                return fd;
            }
            libc.close(fd);
            if (attempt > 0) {
                throw new IOException(t.project() + " is not mounted at " + dir);
            }
        }
    }
}
