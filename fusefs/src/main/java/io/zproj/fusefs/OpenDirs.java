package io.zproj.fusefs;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Open directories by handle: the names listed at opendir, handed to libfuse at the first readdir. An unknown handle is EBADF. */
final class OpenDirs {

    private final AtomicLong next = new AtomicLong(1);
    private final ConcurrentHashMap<Long, DirNames> dirs = new ConcurrentHashMap<>();

    long add(DirNames names) {
        long h = next.getAndIncrement();
        dirs.put(h, names);
        return h;
    }

    DirNames get(long handle) throws ErrnoException {
        DirNames d = dirs.get(handle);
        if (d == null) {
            throw new ErrnoException(Errnos.EBADF);
        }
        return d;
    }

    void remove(long handle) {
        dirs.remove(handle);
    }
}
