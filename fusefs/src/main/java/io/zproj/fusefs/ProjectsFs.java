package io.zproj.fusefs;

import io.zproj.cache.Namespace;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.Snapshot;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * look inside fetches the project ({@link Namespace#open}). Once local, a project is mounted
 * natively over its directory and new path walks no longer reach this class; a process that
 * entered before is served here: every operation is the same call on the backing directory,
 * made as the caller relative to it ({@link BackingPaths}), errno and all.
 *
 * <p>This is the only class that speaks errno. Every operation resolves its path, calls libc or
 * the namespace, and maps the exception in one place: {@link ErrnoException} to its errno, an
 * unknown project to ENOENT, a failed fetch to ENOSPC or EDQUOT when space or quota ran out and
 * to EIO otherwise (logged once a minute per message), anything unexpected to EIO (logged).
 * Nothing escapes a callback.
 */
public final class ProjectsFs extends FuseStubFS {

    private static final System.Logger LOG = System.getLogger(ProjectsFs.class.getName());
    private static final int DIR_MODE = FileStat.S_IFDIR | 0755;

    private final Namespace namespace;
    private final LibC libc;
    private final OpenFiles files = new OpenFiles();
    private final OpenDirs dirs = new OpenDirs();
    private final Path statfsFallback;
    private final BackingPaths paths;
    private final long startedEpochSecond = System.currentTimeMillis() / 1000;
    /** The listings of {@code /} and {@code /.snapshots}, and the project list they were made from. */
    private volatile RootNames rootNames = new RootNames(null, null, null);
    /** Failures of the daemon's own already logged (a minute): one line, not one per operation. */
    private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> logged =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
                    .expireAfterWrite(java.time.Duration.ofMinutes(1)).maximumSize(1_000).build();

    /**
     * @param backingBase the directory under which projects' backing mounts are (whose statfs
     *                    answers for the root): a backing directory on its device is not mounted
     */
    public ProjectsFs(Namespace namespace, Path backingBase) throws IOException {
        this.namespace = namespace;
        this.libc = LibC.load();
        this.statfsFallback = backingBase;
        this.paths = new BackingPaths(namespace, libc, backingBase);
        allowUtimeOmit();
        rootNames(false); // the projects known now, encoded before the first ls rather than in its opendir
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

    /** Acts as the process FUSE is serving, for an operation on a descriptor it opened. */
    private void asCaller() {
        FuseContext c = getContext();
        paths.actAs((int) c.uid.get(), (int) c.gid.get(), c.pid.get());
    }

    /** {@code t} resolved on its backing directory, acting as the process FUSE is serving. */
    private BackingPaths.At at(Target t) throws ErrnoException, IOException {
        FuseContext c = getContext();
        return paths.at(t, (int) c.uid.get(), (int) c.gid.get(), c.pid.get());
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
            if (logged.asMap().putIfAbsent(e.getMessage() == null ? e.toString() : e.getMessage(), Boolean.TRUE) == null) {
                LOG.log(Level.WARNING, what + " " + path + ": " + e.getMessage());
            }
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
            Target t = Target.of(path);
            if (t.isRoot()) {
                fillDir(stat, startedEpochSecond, 2 + namespace.projectCount() + (t.isSnapshotsDir() ? 0 : 1));
                if (t.isSnapshotsDir()) {
                    stat.st_mode.set(READ_ONLY_DIR_MODE);
                }
                return 0;
            }
            if (t.isSnapshotList()) {
                Namespace.ProjectAttributes a = namespace.attributes(t.project())
                        .or(() -> namespace.ready(t.project()).map(p -> new Namespace.ProjectAttributes(startedEpochSecond, 0)))
                        .orElseThrow(() -> new ErrnoException(Errnos.ENOENT));
                fillDir(stat, a.modifiedEpochSecond(), 2);
                stat.st_mode.set(READ_ONLY_DIR_MODE);
                return 0;
            }
            if (t.isSnapshotTop()) {
                Snapshot s = snapshot(t);
                fillDir(stat, s.creation().getEpochSecond(), 2);
                stat.st_mode.set(READ_ONLY_DIR_MODE);
                return 0;
            }
            if (t.isProjectDir() && namespace.ready(t.project()).isEmpty()) {
                Namespace.ProjectAttributes a = namespace.attributes(t.project())
                        .orElseThrow(() -> new ErrnoException(Errnos.ENOENT));
                fillDir(stat, a.modifiedEpochSecond(), 2);
                return 0;
            }
            try (BackingPaths.At a = at(t)) {
                check(libc.fstatat(a.dirfd, a.path, Struct.getMemory(stat), LibC.AT_SYMLINK_NOFOLLOW));
            }
            return 0;
        });
    }

    /** {@code /.snapshots}, a project's list of snapshots and a snapshot's top: directories of root, {@code 0555}. */
    private static final int READ_ONLY_DIR_MODE = FileStat.S_IFDIR | 0555;

    /** A project's snapshots as its local copy holds them, listed at most once every 2 s (getattr asks often). */
    private final com.github.benmanes.caffeine.cache.Cache<ProjectId, List<Snapshot>> snapshotLists =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
                    .expireAfterWrite(java.time.Duration.ofSeconds(2)).maximumSize(1_000).build();

    private List<Snapshot> snapshots(ProjectId id) throws IOException {
        List<Snapshot> known = snapshotLists.getIfPresent(id);
        if (known == null) {
            known = namespace.snapshots(id);
            snapshotLists.put(id, known);
        }
        return known;
    }

    /** The snapshot a {@code /.snapshots/<uuid>/<name>} path names; ENOENT if the local copy has none by that name. */
    private Snapshot snapshot(Target t) throws ErrnoException, IOException {
        for (Snapshot s : snapshots(t.project())) {
            if (s.name().name().equals(t.snapshot())) {
                return s;
            }
        }
        throw new ErrnoException(Errnos.ENOENT);
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
            Target t = Target.of(path);
            DirNames names;
            if (t.isRoot()) {
                names = rootNames(t.isSnapshotsDir());
            } else if (t.isSnapshotList()) {
                if (namespace.ready(t.project()).isEmpty() && namespace.attributes(t.project()).isEmpty()) {
                    throw new ErrnoException(Errnos.ENOENT);
                }
                DirNames.Builder b = new DirNames.Builder().add(".").add("..");
                snapshotLists.invalidate(t.project());
                for (Snapshot s : snapshots(t.project())) {
                    b.add(s.name().name());
                }
                names = b.build();
            } else {
                try (BackingPaths.At a = at(t)) {
                    int fd = libc.openat(a.dirfd, a.path, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
                    check(fd);
                    Pointer dir = libc.fdopendir(fd);
                    if (dir == null) {
                        int errno = LibC.errno();
                        libc.close(fd);
                        throw new ErrnoException(errno);
                    }
                    DirNames.Builder b = new DirNames.Builder();
                    try {
                        for (Pointer e = libc.readdir(dir); e != null; e = libc.readdir(dir)) {
                            b.add(e, DIRENT_NAME_OFFSET);
                        }
                    } finally {
                        libc.closedir(dir);
                    }
                    names = b.build();
                }
            }
            fi.fh.set(dirs.add(names));
            return 0;
        });
    }

    private record RootNames(List<ProjectId> of, DirNames withSnapshots, DirNames inSnapshots) {}

    /**
     * The listing of {@code /} (with {@code .snapshots}) or of {@code /.snapshots}: encoded once
     * per project list ({@link Namespace#projects} is the same list until the set changes), so
     * listing 10,000 projects builds nothing.
     */
    private DirNames rootNames(boolean inSnapshotsDir) {
        List<ProjectId> projects = namespace.projects();
        RootNames r = rootNames;
        if (r.of() != projects) {
            DirNames.Builder b = new DirNames.Builder().add(".").add("..").add(Target.SNAPSHOTS);
            for (ProjectId id : projects) {
                b.add(id.toString());
            }
            DirNames all = b.build();
            r = new RootNames(projects, all, all.without(2));
            rootNames = r;
        }
        return inSnapshotsDir ? r.inSnapshots() : r.withSnapshots();
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
            if (!dirs.get(fi.fh.get()).fill(filler, buf)) {
                throw new ErrnoException(Errnos.ENOMEM);
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
            try (BackingPaths.At a = at(Target.of(path))) {
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
            Target t = Target.of(path);
            if (synthetic(t)) {
                if ((mask & W_OK) != 0 && t.inSnapshots()) {
                    throw new ErrnoException(Errnos.EROFS);
                }
                if ((mask & W_OK) != 0 && getContext().uid.get() != 0) {
                    throw new ErrnoException(Errnos.EACCES);
                }
                return 0;
            }
            try (BackingPaths.At a = at(t)) {
                check(libc.faccessat(a.dirfd, a.path, mask, LibC.AT_EACCESS));
            }
            return 0;
        });
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        return call("statfs", path, () -> {
            Target t = Target.of(path);
            if (t.isRoot() || t.isSnapshotList() || t.isSnapshotTop()
                    || !t.inSnapshots() && namespace.ready(t.project()).isEmpty()) {
                paths.actAsDaemon(); // the backing base is root's only
                check(libc.statvfs(statfsFallback.toString(), Struct.getMemory(stbuf)));
                return 0;
            }
            try (BackingPaths.At a = at(t)) {
                check(libc.fstatvfs(a.dirfd, Struct.getMemory(stbuf)));
            }
            return 0;
        });
    }

    // ------------------------------------------------------------------ files

    @Override
    public int open(String path, FuseFileInfo fi) {
        return call("open", path, () -> {
            Target t = Target.of(path);
            try (BackingPaths.At a = at(t)) {
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
            Target t = Target.newName(path).inside();
            try (BackingPaths.At a = at(t)) {
                int fd = libc.openat(a.dirfd, a.path, fi.flags.get() | LibC.O_CREAT | LibC.O_CLOEXEC, (int) mode);
                check(fd);
                fi.fh.set(files.add(new OpenFiles.OpenFile(fd, t.project())));
            }
            return 0;
        });
    }

    @Override
    public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return call("read", path, () -> {
            asCaller();
            return check(libc.pread(files.get(fi.fh.get()).fd(), buf, size, offset));
        });
    }

    @Override
    public int write(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return call("write", path, () -> {
            asCaller(); // the backing filesystem clears set-user-ID bits by who writes
            return check(libc.pwrite(files.get(fi.fh.get()).fd(), buf, size, offset));
        });
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
            asCaller();
            int dup = libc.dup(files.get(fi.fh.get()).fd());
            check(dup);
            check(libc.close(dup));
            return 0;
        });
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return call("fsync", path, () -> {
            asCaller();
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
            try (BackingPaths.At a = at(Target.of(path))) {
                check(libc.truncate(a.procPath(), size));
            }
            return 0;
        });
    }

    @Override
    public int ftruncate(String path, long size, FuseFileInfo fi) {
        return call("ftruncate", path, () -> {
            asCaller();
            check(libc.ftruncate(files.get(fi.fh.get()).fd(), size));
            return 0;
        });
    }

    // ------------------------------------------------------------------ names

    @Override
    public int mkdir(String path, long mode) {
        return call("mkdir", path, () -> {
            try (BackingPaths.At a = at(Target.newName(path).inside())) {
                check(libc.mkdirat(a.dirfd, a.path, (int) mode));
            }
            return 0;
        });
    }

    @Override
    public int mknod(String path, long mode, long rdev) {
        return call("mknod", path, () -> {
            try (BackingPaths.At a = at(Target.newName(path).inside())) {
                check(libc.mknodat(a.dirfd, a.path, (int) mode, rdev));
            }
            return 0;
        });
    }

    @Override
    public int rmdir(String path) {
        return call("rmdir", path, () -> {
            try (BackingPaths.At a = at(Target.of(path).inside())) {
                check(libc.unlinkat(a.dirfd, a.path, LibC.AT_REMOVEDIR));
            }
            return 0;
        });
    }

    @Override
    public int unlink(String path) {
        return call("unlink", path, () -> {
            try (BackingPaths.At a = at(Target.of(path).inside())) {
                check(libc.unlinkat(a.dirfd, a.path, 0));
            }
            return 0;
        });
    }

    @Override
    public int rename(String from, String to) {
        return call("rename", from, () -> {
            Target a = Target.of(from).inside();
            Target b = Target.newName(to).inside();
            if (!a.project().equals(b.project())) {
                throw new ErrnoException(Errnos.EXDEV);
            }
            try (BackingPaths.At x = at(a); BackingPaths.At y = at(b)) {
                check(libc.renameat(x.dirfd, x.path, y.dirfd, y.path));
            }
            return 0;
        });
    }

    @Override
    public int symlink(String target, String linkPath) {
        return call("symlink", linkPath, () -> {
            try (BackingPaths.At a = at(Target.newName(linkPath).inside())) {
                check(libc.symlinkat(target, a.dirfd, a.path));
            }
            return 0;
        });
    }

    @Override
    public int link(String existing, String newPath) {
        return call("link", newPath, () -> {
            Target a = Target.of(existing).inside();
            Target b = Target.newName(newPath).inside();
            if (!a.project().equals(b.project())) {
                throw new ErrnoException(Errnos.EXDEV);
            }
            try (BackingPaths.At x = at(a); BackingPaths.At y = at(b)) {
                check(libc.linkat(x.dirfd, x.path, y.dirfd, y.path, 0));
            }
            return 0;
        });
    }

    @Override
    public int chmod(String path, long mode) {
        return call("chmod", path, () -> {
            try (BackingPaths.At a = at(Target.of(path))) {
                check(libc.fchmodat(a.dirfd, a.path, (int) mode, 0));
            }
            return 0;
        });
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return call("chown", path, () -> {
            try (BackingPaths.At a = at(Target.of(path))) {
                check(libc.fchownat(a.dirfd, a.path, (int) uid, (int) gid, LibC.AT_SYMLINK_NOFOLLOW));
            }
            return 0;
        });
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return call("utimens", path, () -> {
            try (BackingPaths.At a = at(Target.of(path))) {
                check(libc.utimensat(a.dirfd, a.path, Struct.getMemory(timespec[0]), LibC.AT_SYMLINK_NOFOLLOW));
            }
            return 0;
        });
    }

    // ------------------------------------------------------------------ extended attributes

    /** The root, or a project not fetched yet: it has no extended attributes, and asking must not fetch it. */
    private boolean synthetic(Target t) throws ErrnoException, IOException {
        if (t.isRoot()) {
            return true;
        }
        if (t.isSnapshotList()) {
            if (namespace.ready(t.project()).isEmpty() && namespace.attributes(t.project()).isEmpty()) {
                throw new ErrnoException(Errnos.ENOENT);
            }
            return true;
        }
        if (t.isSnapshotTop()) {
            snapshot(t); // ENOENT if there is none
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
            Target t = Target.of(path);
            if (synthetic(t)) {
                throw new ErrnoException(Errnos.ENODATA);
            }
            try (BackingPaths.At a = at(t)) {
                return xattr(libc.lgetxattr(a.procPath(), name, size == 0 ? null : value, size));
            }
        });
    }

    @Override
    public int setxattr(String path, String name, Pointer value, long size, int flags) {
        return call("setxattr", path, () -> {
            try (BackingPaths.At a = at(Target.of(path))) {
                xattr(libc.lsetxattr(a.procPath(), name, value, size, flags));
            }
            return 0;
        });
    }

    @Override
    public int listxattr(String path, Pointer list, long size) {
        return call("listxattr", path, () -> {
            Target t = Target.of(path);
            if (synthetic(t)) {
                return 0;
            }
            try (BackingPaths.At a = at(t)) {
                return xattr(libc.llistxattr(a.procPath(), size == 0 ? null : list, size));
            }
        });
    }

    @Override
    public int removexattr(String path, String name) {
        return call("removexattr", path, () -> {
            try (BackingPaths.At a = at(Target.of(path))) {
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
