package io.zproj.fusefs;

import io.zproj.cache.Namespace;
import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The {@code /projects} filesystem: the root lists every project; {@code /<uuid>} is a
 * directory whose attributes come from the catalog (so {@code ls -l} fetches nothing); any
 * look inside fetches the project ({@link Namespace#open}) and from then on every operation is
 * passed to the same call on its backing directory, errno and all.
 *
 * <p>This is the only class that speaks errno. Every operation resolves its path, calls a
 * handler that throws, and maps the exception in one place: {@link ErrnoException} to its
 * errno, an unknown project to ENOENT, a failed fetch to EIO (logged once), anything else to
 * EIO (logged). Nothing escapes a callback.
 */
public final class ProjectsFs extends FuseStubFS {

    private static final System.Logger LOG = System.getLogger(ProjectsFs.class.getName());
    private static final int DIR_MODE = FileStat.S_IFDIR | 0755;

    private final Namespace namespace;
    private final LibC libc;
    private final OpenFiles files = new OpenFiles();
    private final OpenDirs dirs = new OpenDirs();
    private final Path statfsFallback;
    private final long backingBaseDevice;
    private final Credentials credentials;
    private final long startedEpochSecond = System.currentTimeMillis() / 1000;
    private final ThreadLocal<Pointer> statBuffer = ThreadLocal.withInitial(
            () -> jnr.ffi.Runtime.getSystemRuntime().getMemoryManager().allocateDirect(256));

    /**
     * @param backingBase the directory under which projects' backing mounts are (whose statfs
     *                    answers for the root): a backing directory on its device is not mounted
     */
    public ProjectsFs(Namespace namespace, Path backingBase) throws IOException {
        this.namespace = namespace;
        this.libc = LibC.load();
        this.statfsFallback = backingBase;
        this.backingBaseDevice = ((Number) Files.getAttribute(backingBase, "unix:dev")).longValue();
        this.credentials = new Credentials(libc);
        allowUtimeOmit();
    }

    /**
     * Sets {@code flag_utime_omit_ok} (bit 2 of the flags word) in our {@code fuse_operations}:
     * without it libfuse 2 calls utimens only when both times are given, and silently drops
     * {@code touch -m} and tar's {@code futimens(fd, {UTIME_OMIT, mtime})}. jnr-fuse declares
     * the bitfield as padding, so the bit is set in the struct's memory.
     */
    private void allowUtimeOmit() {
        long flags;
        try {
            Object member = fuseOperations.getClass().getField("flag_nullpath_ok").get(fuseOperations);
            java.lang.reflect.Method offset = member.getClass().getMethod("offset");
            offset.setAccessible(true);
            flags = ((Number) offset.invoke(member)).longValue();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot find fuse_operations flags in this jnr-fuse", e);
        }
        jnr.ffi.Pointer ops = Struct.getMemory(fuseOperations);
        ops.putInt(flags, ops.getInt(flags) | (1 << 2));
    }

    // ------------------------------------------------------------------ paths

    /** A path under the mount: the root, a project's directory, or something inside a project. */
    private record Target(ProjectId project, String rest) {
        boolean isRoot() {
            return project == null;
        }

        boolean isProjectDir() {
            return project != null && rest.isEmpty();
        }
    }

    private static final Target ROOT = new Target(null, "");

    /** Splits a FUSE path; a name that is not a project id is ENOENT, and so is any {@code ..}. */
    private static Target target(String path) throws ErrnoException {
        if (path.equals("/")) {
            return ROOT;
        }
        int slash = path.indexOf('/', 1);
        String name = slash < 0 ? path.substring(1) : path.substring(1, slash);
        String rest = slash < 0 ? "" : path.substring(slash);
        if (!ProjectId.isValid(name) || rest.contains("/../") || rest.endsWith("/..")) {
            throw new ErrnoException(Errnos.ENOENT);
        }
        return new Target(ProjectId.parse(name), rest);
    }

    /** The backing directory, fetching the project if needed. */
    private Path backing(Target t) throws ErrnoException, IOException {
        if (t.isRoot()) {
            throw new ErrnoException(Errnos.EPERM);
        }
        if (namespace.ready(t.project()).isEmpty() && namespace.attributes(t.project()).isEmpty()) {
            throw new ErrnoException(Errnos.ENOENT);
        }
        return namespace.open(t.project());
    }

    /** The target of an operation that makes a name: never directly under the root. */
    private static Target newName(String path) throws ErrnoException {
        if (path.indexOf('/', 1) < 0) {
            throw new ErrnoException(Errnos.EPERM);
        }
        return target(path);
    }

    /** A path inside a project (not the root, not a project's directory itself), for operations that change names. */
    private static Target inside(Target t) throws ErrnoException {
        if (t.isRoot() || t.isProjectDir()) {
            throw new ErrnoException(Errnos.EPERM);
        }
        return t;
    }

    /**
     * A path inside a project resolved for an {@code *at} call, acting as the caller: a directory
     * descriptor and a path relative to it that is never longer than PATH_MAX allows, however
     * long the caller's path was. Closing it closes the descriptors it opened.
     */
    private final class At implements AutoCloseable {
        final int dirfd;
        final String path;
        private final int[] fds;

        At(int dirfd, String path, int[] fds) {
            this.dirfd = dirfd;
            this.path = path;
            this.fds = fds;
        }

        /** The same file as a path for calls without an {@code *at} form (truncate, xattrs). */
        String procPath() {
            return "/proc/self/fd/" + dirfd + (path.equals(".") ? "" : "/" + path);
        }

        @Override
        public void close() {
            for (int fd : fds) {
                libc.close(fd);
            }
        }
    }

    /** Longest relative path handed to one {@code *at} call; longer ones are walked in parts. */
    static final int MAX_RELATIVE = 3072;

    /**
     * Resolves {@code t} in its project's backing directory: the directory is opened as the
     * daemon (it sits under a directory only root may enter), then everything else is done as
     * the caller, so the backing filesystem checks the caller's permissions on every component.
     */
    private At at(Target t) throws ErrnoException, IOException {
        int root = openBacking(t);
        FuseContext c = getContext();
        credentials.become((int) c.uid.get(), (int) c.gid.get(), c.pid.get());
        String rest = t.rest().isEmpty() ? "." : t.rest().substring(1);
        if (rest.length() <= MAX_RELATIVE) {
            return new At(root, rest, new int[] {root});
        }
        List<Integer> opened = new ArrayList<>(List.of(root));
        int slash = rest.lastIndexOf('/');
        String leaf = rest.substring(slash + 1);
        String[] parents = rest.substring(0, slash).split("/");
        int dir = root;
        StringBuilder chunk = new StringBuilder();
        try {
            for (int i = 0; i <= parents.length; i++) {
                boolean flush = i == parents.length || chunk.length() + 1 + parents[i].length() > MAX_RELATIVE;
                if (flush && chunk.length() > 0) {
                    int next = libc.openat(dir, chunk.toString(), LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
                    check(next);
                    opened.add(next);
                    dir = next;
                    chunk.setLength(0);
                }
                if (i < parents.length) {
                    chunk.append(chunk.length() == 0 ? "" : "/").append(parents[i]);
                }
            }
        } catch (ErrnoException e) {
            opened.forEach(libc::close);
            throw e;
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
            check(fd);
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

    private static void check(int rc) throws ErrnoException {
        if (rc < 0) {
            throw new ErrnoException(LibC.errno());
        }
    }

    /**
     * An xattr call's result. A backing filesystem without xattrs (zfs-fuse) answers EOPNOTSUPP;
     * passed on as ENOSYS, it makes the kernel stop asking for the rest of the mount and answer
     * EOPNOTSUPP itself, as it does for that filesystem, instead of a round trip through this
     * daemon for every {@code ls -l} entry and every write (security.capability).
     */
    private static long xattr(long rc) throws ErrnoException {
        if (rc < 0) {
            int errno = LibC.errno();
            throw new ErrnoException(errno == Errnos.EOPNOTSUPP ? Errnos.ENOSYS : errno);
        }
        return rc;
    }

    private static long check(long rc) throws ErrnoException {
        if (rc < 0) {
            throw new ErrnoException(LibC.errno());
        }
        return rc;
    }


    /**
     * The errno for a failure of the daemon's own (a fetch, a mount): ENOSPC or EDQUOT when ZFS
     * ran out of space or quota somewhere along the way, EIO otherwise.
     */
    static int errno(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof io.zproj.zfs.OutOfSpaceException) {
                return Errnos.ENOSPC;
            }
            if (t instanceof io.zproj.zfs.QuotaExceededException) {
                return Errnos.EDQUOT;
            }
        }
        return Errnos.EIO;
    }

    /** The operation's result, or its failure as {@code -errno}: the one place exceptions become errno. */
    private interface Op {
        long run() throws ErrnoException, IOException;
    }

    private int call(String what, String path, Op op) {
        try {
            long r = op.run();
            return (int) r;
        } catch (ErrnoException e) {
            return -e.errno;
        } catch (IOException e) {
            LOG.log(Level.WARNING, what + " " + path + ": " + e.getMessage());
            return -errno(e);
        } catch (RuntimeException | LinkageError e) { // e.g. a libc without a symbol we bind
            LOG.log(Level.ERROR, what + " " + path + " failed unexpectedly", e);
            return -Errnos.EIO;
        }
    }

    // ------------------------------------------------------------------ metadata

    @Override
    public int getattr(String path, FileStat stat) {
        return call("getattr", path, () -> {
            Target t = target(path);
            if (t.isRoot()) {
                fillDir(stat, startedEpochSecond, 2 + namespace.projectCount());
                return 0;
            }
            if (t.isProjectDir() && namespace.ready(t.project()).isEmpty()) {
                Namespace.ProjectAttributes a = namespace.attributes(t.project())
                        .orElseThrow(() -> new ErrnoException(Errnos.ENOENT));
                fillDir(stat, a.modifiedEpochSecond(), 2);
                return 0;
            }
            try (At a = at(t)) {
                check(libc.fstatat(a.dirfd, a.path, Struct.getMemory(stat), LibC.AT_SYMLINK_NOFOLLOW));
            }
            return 0;
        });
    }

    private static void fillDir(FileStat stat, long epochSecond, long links) {
        stat.st_mode.set(DIR_MODE);
        stat.st_nlink.set(links);
        stat.st_uid.set(0);
        stat.st_gid.set(0);
        stat.st_size.set(4096);
        stat.st_mtim.tv_sec.set(epochSecond);
        stat.st_ctim.tv_sec.set(epochSecond);
        stat.st_atim.tv_sec.set(epochSecond);
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        OpenFiles.OpenFile f = files.find(fi.fh.get());
        if (f == null) {
            return getattr(path, stat);
        }
        return call("fgetattr", path, () -> {
            check(libc.fstat(f.fd(), Struct.getMemory(stat)));
            return 0;
        });
    }

    /**
     * Lists the directory once, when it is opened (as the caller): readdir hands that snapshot
     * to libfuse, so a large directory read in several calls is consistent and costs one listing.
     * Opening a project's directory is a look inside: it fetches the project.
     */
    @Override
    public int opendir(String path, FuseFileInfo fi) {
        return call("opendir", path, () -> {
            Target t = target(path);
            List<String> names = new ArrayList<>();
            if (t.isRoot()) {
                names.add(".");
                names.add("..");
                for (ProjectId id : namespace.projects()) {
                    names.add(id.toString());
                }
            } else {
                try (At a = at(t)) {
                    int fd = libc.openat(a.dirfd, a.path, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
                    check(fd);
                    Pointer dir = libc.fdopendir(fd);
                    if (dir == null) {
                        int errno = LibC.errno();
                        libc.close(fd);
                        throw new ErrnoException(errno);
                    }
                    try {
                        for (Pointer e = libc.readdir(dir); e != null; e = libc.readdir(dir)) {
                            names.add(e.getString(DIRENT_NAME_OFFSET));
                        }
                    } finally {
                        libc.closedir(dir);
                    }
                }
            }
            fi.fh.set(dirs.add(names));
            return 0;
        });
    }

    /** Where {@code d_name} starts in glibc's {@code struct dirent} on 64-bit Linux (ino, off, reclen, type). */
    private static final int DIRENT_NAME_OFFSET = 19;

    /**
     * Hands libfuse the whole snapshot in one call, without offsets: libfuse then keeps it and
     * answers the kernel's further readdir requests for this handle itself, so a directory of
     * 10,000 entries costs one call into Java rather than one per 4 KiB page.
     */
    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
        return call("readdir", path, () -> {
            if (offset != 0) {
                return 0; // not asked in this mode; nothing past the end
            }
            for (String name : dirs.get(fi.fh.get())) {
                if (filler.apply(buf, name, null, 0) != 0) {
                    throw new ErrnoException(Errnos.ENOMEM);
                }
            }
            return 0;
        });
    }

    @Override
    public int releasedir(String path, FuseFileInfo fi) {
        return call("releasedir", path, () -> {
            dirs.remove(fi.fh.get());
            return 0;
        });
    }

    @Override
    public int readlink(String path, Pointer buf, long size) {
        return call("readlink", path, () -> {
            try (At a = at(target(path))) {
                long n = check(libc.readlinkat(a.dirfd, a.path, buf, size - 1));
                buf.putByte(n, (byte) 0);
            }
            return 0;
        });
    }

    private static final int W_OK = 2;

    /**
     * The kernel asks (there is no {@code default_permissions}) for {@code access(2)} and
     * {@code chdir}: answered by the backing filesystem as the caller; the root and a project not
     * fetched yet are {@code 0755} directories of root.
     */
    @Override
    public int access(String path, int mask) {
        return call("access", path, () -> {
            Target t = target(path);
            if (synthetic(t)) {
                if ((mask & W_OK) != 0 && getContext().uid.get() != 0) {
                    throw new ErrnoException(Errnos.EACCES);
                }
                return 0;
            }
            try (At a = at(t)) {
                check(libc.faccessat(a.dirfd, a.path, mask, LibC.AT_EACCESS));
            }
            return 0;
        });
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        return call("statfs", path, () -> {
            Target t = target(path);
            if (t.isRoot() || namespace.ready(t.project()).isEmpty()) {
                check(libc.statvfs(statfsFallback.toString(), Struct.getMemory(stbuf)));
                return 0;
            }
            try (At a = at(t)) {
                check(libc.fstatvfs(a.dirfd, Struct.getMemory(stbuf)));
            }
            return 0;
        });
    }

    // ------------------------------------------------------------------ files

    @Override
    public int open(String path, FuseFileInfo fi) {
        return call("open", path, () -> {
            Target t = target(path);
            try (At a = at(t)) {
                int fd = libc.openat(a.dirfd, a.path, fi.flags.get() | LibC.O_CLOEXEC, 0);
                check(fd);
                fi.fh.set(files.add(new OpenFiles.OpenFile(fd, t.project())));
            }
            return 0;
        });
    }

    @Override
    public int create(String path, long mode, FuseFileInfo fi) {
        return call("create", path, () -> {
            Target t = inside(newName(path));
            try (At a = at(t)) {
                int fd = libc.openat(a.dirfd, a.path, fi.flags.get() | LibC.O_CREAT | LibC.O_CLOEXEC, (int) mode);
                check(fd);
                fi.fh.set(files.add(new OpenFiles.OpenFile(fd, t.project())));
            }
            return 0;
        });
    }

    @Override
    public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return call("read", path, () -> check(libc.pread(files.get(fi.fh.get()).fd(), buf, size, offset)));
    }

    @Override
    public int write(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return call("write", path, () -> check(libc.pwrite(files.get(fi.fh.get()).fd(), buf, size, offset)));
    }

    /**
     * Called on every close of a descriptor, synchronously (release comes later, asynchronously).
     * Closing a duplicate of the backing descriptor makes the backing filesystem take the file's
     * written data now, so that nothing it does later lands after what the application did next,
     * e.g. set the file's times.
     */
    @Override
    public int flush(String path, FuseFileInfo fi) {
        return call("flush", path, () -> {
            int dup = libc.dup(files.get(fi.fh.get()).fd());
            check(dup);
            check(libc.close(dup));
            return 0;
        });
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return call("fsync", path, () -> {
            int fd = files.get(fi.fh.get()).fd();
            check(isdatasync != 0 ? libc.fdatasync(fd) : libc.fsync(fd));
            return 0;
        });
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return call("release", path, () -> {
            check(libc.close(files.remove(fi.fh.get()).fd()));
            return 0;
        });
    }

    @Override
    public int truncate(String path, long size) {
        return call("truncate", path, () -> {
            try (At a = at(target(path))) {
                check(libc.truncate(a.procPath(), size));
            }
            return 0;
        });
    }

    @Override
    public int ftruncate(String path, long size, FuseFileInfo fi) {
        return call("ftruncate", path, () -> {
            check(libc.ftruncate(files.get(fi.fh.get()).fd(), size));
            return 0;
        });
    }

    // ------------------------------------------------------------------ names

    @Override
    public int mkdir(String path, long mode) {
        return call("mkdir", path, () -> {
            try (At a = at(inside(newName(path)))) {
                check(libc.mkdirat(a.dirfd, a.path, (int) mode));
            }
            return 0;
        });
    }

    @Override
    public int mknod(String path, long mode, long rdev) {
        return call("mknod", path, () -> {
            try (At a = at(inside(newName(path)))) {
                check(libc.mknodat(a.dirfd, a.path, (int) mode, rdev));
            }
            return 0;
        });
    }

    @Override
    public int rmdir(String path) {
        return call("rmdir", path, () -> {
            try (At a = at(inside(target(path)))) {
                check(libc.unlinkat(a.dirfd, a.path, LibC.AT_REMOVEDIR));
            }
            return 0;
        });
    }

    @Override
    public int unlink(String path) {
        return call("unlink", path, () -> {
            try (At a = at(inside(target(path)))) {
                check(libc.unlinkat(a.dirfd, a.path, 0));
            }
            return 0;
        });
    }

    @Override
    public int rename(String from, String to) {
        return call("rename", from, () -> {
            Target a = inside(target(from));
            Target b = inside(newName(to));
            if (!a.project().equals(b.project())) {
                throw new ErrnoException(Errnos.EXDEV);
            }
            try (At x = at(a); At y = at(b)) {
                check(libc.renameat(x.dirfd, x.path, y.dirfd, y.path));
            }
            return 0;
        });
    }

    @Override
    public int symlink(String target, String linkPath) {
        return call("symlink", linkPath, () -> {
            try (At a = at(inside(newName(linkPath)))) {
                check(libc.symlinkat(target, a.dirfd, a.path));
            }
            return 0;
        });
    }

    @Override
    public int link(String existing, String newPath) {
        return call("link", newPath, () -> {
            Target a = inside(target(existing));
            Target b = inside(newName(newPath));
            if (!a.project().equals(b.project())) {
                throw new ErrnoException(Errnos.EXDEV);
            }
            try (At x = at(a); At y = at(b)) {
                check(libc.linkat(x.dirfd, x.path, y.dirfd, y.path, 0));
            }
            return 0;
        });
    }

    @Override
    public int chmod(String path, long mode) {
        return call("chmod", path, () -> {
            try (At a = at(target(path))) {
                check(libc.fchmodat(a.dirfd, a.path, (int) mode, 0));
            }
            return 0;
        });
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return call("chown", path, () -> {
            try (At a = at(target(path))) {
                check(libc.fchownat(a.dirfd, a.path, (int) uid, (int) gid, LibC.AT_SYMLINK_NOFOLLOW));
            }
            return 0;
        });
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return call("utimens", path, () -> {
            try (At a = at(target(path))) {
                check(libc.utimensat(a.dirfd, a.path, Struct.getMemory(timespec[0]), LibC.AT_SYMLINK_NOFOLLOW));
            }
            return 0;
        });
    }

    // ------------------------------------------------------------------ extended attributes

    /** The root, or a project not fetched yet: it has no extended attributes, and asking must not fetch it. */
    private boolean synthetic(Target t) throws ErrnoException {
        if (t.isRoot()) {
            return true;
        }
        if (t.isProjectDir() && namespace.ready(t.project()).isEmpty()) {
            namespace.attributes(t.project()).orElseThrow(() -> new ErrnoException(Errnos.ENOENT));
            return true;
        }
        return false;
    }

    @Override
    public int getxattr(String path, String name, Pointer value, long size) {
        return call("getxattr", path, () -> {
            Target t = target(path);
            if (synthetic(t)) {
                throw new ErrnoException(Errnos.ENODATA);
            }
            try (At a = at(t)) {
                return xattr(libc.lgetxattr(a.procPath(), name, size == 0 ? null : value, size));
            }
        });
    }

    @Override
    public int setxattr(String path, String name, Pointer value, long size, int flags) {
        return call("setxattr", path, () -> {
            try (At a = at(target(path))) {
                xattr(libc.lsetxattr(a.procPath(), name, value, size, flags));
            }
            return 0;
        });
    }

    @Override
    public int listxattr(String path, Pointer list, long size) {
        return call("listxattr", path, () -> {
            Target t = target(path);
            if (synthetic(t)) {
                return 0;
            }
            try (At a = at(t)) {
                return xattr(libc.llistxattr(a.procPath(), size == 0 ? null : list, size));
            }
        });
    }

    @Override
    public int removexattr(String path, String name) {
        return call("removexattr", path, () -> {
            try (At a = at(target(path))) {
                xattr(libc.lremovexattr(a.procPath(), name));
            }
            return 0;
        });
    }

    /** Whether any file of the project is open through the mount (it must not be unmounted under them). */
    public boolean hasOpenFiles(ProjectId project) {
        return files.anyOpen(project);
    }
}
