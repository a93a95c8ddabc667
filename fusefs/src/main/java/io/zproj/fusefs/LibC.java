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
    int O_RDONLY = 0;
    int O_DIRECTORY = 0200000;
    int O_PATH = 010000000;
    int O_CLOEXEC = 02000000;
    int AT_REMOVEDIR = 0x200;
    int AT_EACCESS = 0x200;
    int CLONE_FS = 0x200;
    /** setgroups(2) on x86_64: called as a raw syscall, which changes only the calling thread. */
    long SYS_SETGROUPS_X86_64 = 116;
    /** gettid(2) on x86_64. */
    long SYS_GETTID_X86_64 = 186;

    int openat(int dirfd, String path, int flags, int mode);

    int fstatat(int dirfd, String path, Pointer stat, int flags);

    int fstat(int fd, Pointer stat);

    int mkdirat(int dirfd, String path, int mode);

    int mknodat(int dirfd, String path, int mode, long dev);

    int unlinkat(int dirfd, String path, int flags);

    int renameat(int olddirfd, String from, int newdirfd, String to);

    int symlinkat(String target, int dirfd, String linkPath);

    long readlinkat(int dirfd, String path, Pointer buf, long size);

    int linkat(int olddirfd, String existing, int newdirfd, String newPath, int flags);

    int fchmodat(int dirfd, String path, int mode, int flags);

    int fchownat(int dirfd, String path, int uid, int gid, int flags);

    int faccessat(int dirfd, String path, int mode, int flags);

    int fstatvfs(int fd, Pointer buf);

    Pointer fdopendir(int fd);

    Pointer readdir(Pointer dir);

    int closedir(Pointer dir);

    int setfsuid(int uid);

    int setfsgid(int gid);

    long syscall(long number, long size, int[] list);

    int unshare(int flags);

    int umask(int mask);

    int close(int fd);

    int dup(int fd);

    long pread(int fd, Pointer buf, long count, long offset);

    long pwrite(int fd, Pointer buf, long count, long offset);

    int ftruncate(int fd, long length);

    int truncate(String path, long length);

    int fsync(int fd);

    int fdatasync(int fd);

    int utimensat(int dirfd, String path, Pointer times, int flags);

    int statvfs(String path, Pointer buf);

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
