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
    private final long startedEpochSecond = System.currentTimeMillis() / 1000;
    private final int ownUid;
    private final int ownGid;

    /**
     * @param statfsFallback a directory on the cache pool, whose statfs answers for the root
     */
    public ProjectsFs(Namespace namespace, Path statfsFallback) {
        this.namespace = namespace;
        this.libc = LibC.load();
        this.statfsFallback = statfsFallback;
        this.ownUid = libc.geteuid();
        this.ownGid = libc.getegid();
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

    /** The backing path, fetching the project if needed. */
    private String backing(Target t) throws ErrnoException, IOException {
        if (t.isRoot()) {
            throw new ErrnoException(Errnos.EPERM);
        }
        if (namespace.ready(t.project()).isEmpty() && namespace.attributes(t.project()).isEmpty()) {
            throw new ErrnoException(Errnos.ENOENT);
        }
        return namespace.open(t.project()).toString() + t.rest();
    }

    /** The target of an operation that makes a name: never directly under the root. */
    private static Target newName(String path) throws ErrnoException {
        if (path.indexOf('/', 1) < 0) {
            throw new ErrnoException(Errnos.EPERM);
        }
        return target(path);
    }

    /** A path inside a project (not the root, not a project's directory itself), for operations that change names. */
    private String inside(Target t) throws ErrnoException, IOException {
        if (t.isRoot() || t.isProjectDir()) {
            throw new ErrnoException(Errnos.EPERM);
        }
        return backing(t);
    }

    /**
     * Gives a name just made to the calling user. The daemon made it, so it already belongs to
     * the daemon's user and group (or the group of a setgid directory, as it should): the chown,
     * a round trip to the backing filesystem, is needed only when the caller is someone else.
     */
    private void own(String path, int fd) {
        FuseContext c = getContext();
        int uid = (int) c.uid.get();
        int gid = (int) c.gid.get();
        if (uid == ownUid && gid == ownGid) {
            return;
        }
        if (fd >= 0) {
            libc.fchown(fd, uid, gid);
        } else {
            libc.lchown(path, uid, gid);
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
            return -Errnos.EIO;
        } catch (RuntimeException | LinkageError e) { // e.g. a libc without a symbol we bind
            LOG.log(Level.ERROR, what + " " + path + " failed unexpectedly", e);
            return -Errnos.EIO;
        }
    }

    /** Records a change in the project of {@code t}. */
    private void changed(Target t) {
        if (t.project() != null) {
            namespace.modified(t.project());
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
            if (t.isProjectDir()) {
                Optional<Path> ready = namespace.ready(t.project());
                if (ready.isPresent()) {
                    check(libc.lstat(ready.get().toString(), Struct.getMemory(stat)));
                    return 0;
                }
                Namespace.ProjectAttributes a = namespace.attributes(t.project())
                        .orElseThrow(() -> new ErrnoException(Errnos.ENOENT));
                fillDir(stat, a.modifiedEpochSecond(), 2);
                return 0;
            }
            check(libc.lstat(backing(t), Struct.getMemory(stat)));
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
        return getattr(path, stat);
    }

    /**
     * Lists the directory once, when it is opened: readdir hands that snapshot to libfuse,
     * so a large directory read in several calls is consistent and costs one listing. Opening a
     * project's directory is a look inside: it fetches the project.
     */
    @Override
    public int opendir(String path, FuseFileInfo fi) {
        return call("opendir", path, () -> {
            Target t = target(path);
            List<String> names = new ArrayList<>();
            names.add(".");
            names.add("..");
            if (t.isRoot()) {
                for (ProjectId id : namespace.projects()) {
                    names.add(id.toString());
                }
            } else {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(backing(t)))) {
                    for (Path e : entries) {
                        names.add(e.getFileName().toString());
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    throw new ErrnoException(Errnos.ENOENT);
                } catch (java.nio.file.NotDirectoryException e) {
                    throw new ErrnoException(jnr.constants.platform.Errno.ENOTDIR.intValue());
                } catch (java.nio.file.AccessDeniedException e) {
                    throw new ErrnoException(Errnos.EACCES);
                }
            }
            fi.fh.set(dirs.add(names));
            return 0;
        });
    }

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
            long n = check(libc.readlink(backing(target(path)), buf, size - 1));
            buf.putByte(n, (byte) 0);
            return 0;
        });
    }

    @Override
    public int access(String path, int mask) {
        return call("access", path, () -> {
            Target t = target(path);
            if (synthetic(t)) {
                return 0;
            }
            check(libc.access(backing(t), mask));
            return 0;
        });
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        return call("statfs", path, () -> {
            Target t = target(path);
            String where = t.isRoot() ? statfsFallback.toString()
                    : namespace.ready(t.project()).map(p -> p.toString() + t.rest()).orElse(statfsFallback.toString());
            check(libc.statvfs(where, Struct.getMemory(stbuf)));
            return 0;
        });
    }

    // ------------------------------------------------------------------ files

    @Override
    public int open(String path, FuseFileInfo fi) {
        return call("open", path, () -> {
            Target t = target(path);
            int fd = libc.open(backing(t), fi.flags.get(), 0);
            check(fd);
            fi.fh.set(files.add(new OpenFiles.OpenFile(fd, t.project())));
            return 0;
        });
    }

    @Override
    public int create(String path, long mode, FuseFileInfo fi) {
        return call("create", path, () -> {
            Target t = newName(path);
            int fd = libc.open(inside(t), fi.flags.get() | LibC.O_CREAT, (int) mode);
            check(fd);
            own(null, fd);
            fi.fh.set(files.add(new OpenFiles.OpenFile(fd, t.project())));
            changed(t);
            return 0;
        });
    }

    @Override
    public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return call("read", path, () -> check(libc.pread(files.get(fi.fh.get()).fd(), buf, size, offset)));
    }

    @Override
    public int write(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return call("write", path, () -> {
            OpenFiles.OpenFile f = files.get(fi.fh.get());
            long n = check(libc.pwrite(f.fd(), buf, size, offset));
            namespace.modified(f.project());
            return n;
        });
    }

    /**
     * Called on every close of a descriptor, synchronously (release comes later, asynchronously).
     * Closing a duplicate of the backing descriptor makes the backing filesystem take the file's
     * written data now, so that nothing it does later (such as setting the modification time on
     * writing back) lands after what the application did next, e.g. set the file's times.
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
            Target t = target(path);
            check(libc.truncate(backing(t), size));
            changed(t);
            return 0;
        });
    }

    @Override
    public int ftruncate(String path, long size, FuseFileInfo fi) {
        return call("ftruncate", path, () -> {
            OpenFiles.OpenFile f = files.get(fi.fh.get());
            check(libc.ftruncate(f.fd(), size));
            namespace.modified(f.project());
            return 0;
        });
    }

    // ------------------------------------------------------------------ names

    @Override
    public int mkdir(String path, long mode) {
        return call("mkdir", path, () -> {
            Target t = newName(path);
            String p = inside(t);
            check(libc.mkdir(p, (int) mode));
            own(p, -1);
            changed(t);
            return 0;
        });
    }

    @Override
    public int mknod(String path, long mode, long rdev) {
        return call("mknod", path, () -> {
            Target t = newName(path);
            String p = inside(t);
            check(libc.mknod(p, (int) mode, rdev));
            own(p, -1);
            changed(t);
            return 0;
        });
    }

    @Override
    public int rmdir(String path) {
        return call("rmdir", path, () -> {
            Target t = target(path);
            check(libc.rmdir(inside(t)));
            changed(t);
            return 0;
        });
    }

    @Override
    public int unlink(String path) {
        return call("unlink", path, () -> {
            Target t = target(path);
            check(libc.unlink(inside(t)));
            changed(t);
            return 0;
        });
    }

    @Override
    public int rename(String from, String to) {
        return call("rename", from, () -> {
            Target a = target(from);
            Target b = newName(to);
            if (a.project() != null && b.project() != null && !a.project().equals(b.project())) {
                throw new ErrnoException(Errnos.EXDEV);
            }
            check(libc.rename(inside(a), inside(b)));
            changed(a);
            return 0;
        });
    }

    @Override
    public int symlink(String target, String linkPath) {
        return call("symlink", linkPath, () -> {
            Target t = newName(linkPath);
            String p = inside(t);
            check(libc.symlink(target, p));
            own(p, -1);
            changed(t);
            return 0;
        });
    }

    @Override
    public int link(String existing, String newPath) {
        return call("link", newPath, () -> {
            Target a = target(existing);
            Target b = newName(newPath);
            if (a.project() != null && b.project() != null && !a.project().equals(b.project())) {
                throw new ErrnoException(Errnos.EXDEV);
            }
            check(libc.link(inside(a), inside(b)));
            changed(b);
            return 0;
        });
    }

    @Override
    public int chmod(String path, long mode) {
        return call("chmod", path, () -> {
            Target t = target(path);
            check(libc.chmod(backing(t), (int) mode));
            changed(t);
            return 0;
        });
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return call("chown", path, () -> {
            Target t = target(path);
            check(libc.lchown(backing(t), (int) uid, (int) gid));
            changed(t);
            return 0;
        });
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return call("utimens", path, () -> {
            Target t = target(path);
            check(libc.utimensat(LibC.AT_FDCWD, backing(t), Struct.getMemory(timespec[0]), LibC.AT_SYMLINK_NOFOLLOW));
            changed(t);
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
            return xattr(libc.lgetxattr(backing(t), name, size == 0 ? null : value, size));
        });
    }

    @Override
    public int setxattr(String path, String name, Pointer value, long size, int flags) {
        return call("setxattr", path, () -> {
            Target t = target(path);
            xattr(libc.lsetxattr(backing(t), name, value, size, flags));
            changed(t);
            return 0;
        });
    }

    @Override
    public int listxattr(String path, Pointer list, long size) {
        return call("listxattr", path, () -> {
            Target t = target(path);
            return synthetic(t) ? 0 : xattr(libc.llistxattr(backing(t), size == 0 ? null : list, size));
        });
    }

    @Override
    public int removexattr(String path, String name) {
        return call("removexattr", path, () -> {
            Target t = target(path);
            xattr(libc.lremovexattr(backing(t), name));
            changed(t);
            return 0;
        });
    }

    /** Whether any file of the project is open through the mount (eviction must not take it away). */
    public boolean hasOpenFiles(ProjectId project) {
        return files.anyOpen(project);
    }
}
