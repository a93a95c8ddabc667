package io.zproj.fusefs;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The libc calls the passthrough makes, bound once with jnr-ffi. Each writes straight into
 * (or reads straight from) the memory FUSE handed us: {@code lstat} fills FUSE's own
 * {@code struct stat}, {@code pread} fills FUSE's read buffer. Failures return -1 and leave
 * errno in {@link #errno()}.
 */
public interface LibC {

    int AT_FDCWD = -100;
    int AT_SYMLINK_NOFOLLOW = 0x100;
    int O_CREAT = 0100;

    int lstat(String path, Pointer stat);

    int open(String path, int flags, int mode);

    int close(int fd);

    int dup(int fd);

    long pread(int fd, Pointer buf, long count, long offset);

    long pwrite(int fd, Pointer buf, long count, long offset);

    int ftruncate(int fd, long length);

    int truncate(String path, long length);

    int fsync(int fd);

    int fdatasync(int fd);

    int mkdir(String path, int mode);

    int mknod(String path, int mode, long dev);

    int rmdir(String path);

    int unlink(String path);

    int rename(String from, String to);

    int symlink(String target, String linkPath);

    long readlink(String path, Pointer buf, long size);

    int link(String existing, String newPath);

    int chmod(String path, int mode);

    int lchown(String path, int uid, int gid);

    int fchown(int fd, int uid, int gid);

    int geteuid();

    int getegid();

    int utimensat(int dirfd, String path, Pointer times, int flags);

    int statvfs(String path, Pointer buf);

    int access(String path, int mode);

    long lgetxattr(String path, String name, Pointer value, long size);

    int lsetxattr(String path, String name, Pointer value, long size, int flags);

    long llistxattr(String path, Pointer list, long size);

    int lremovexattr(String path, String name);

    /** The binding, loaded once per process. */
    static LibC load() {
        return Holder.LIBC;
    }

    /** errno of the calling thread's last failed call. */
    static int errno() {
        return Runtime.getRuntime(Holder.LIBC).getLastError();
    }

    /** Lazy, thread-safe loading. */
    final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).option(LibraryOption.SaveError, Boolean.TRUE)
                .load("c");

        private Holder() {}
    }
}
