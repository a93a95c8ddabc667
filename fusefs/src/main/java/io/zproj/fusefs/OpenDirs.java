package io.zproj.fusefs;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Open directories by handle: the names listed at opendir, handed to libfuse at the first readdir. An unknown handle is EBADF. */
final class OpenDirs {

    private final AtomicLong next = new AtomicLong(1);
    private final ConcurrentHashMap<Long, List<String>> dirs = new ConcurrentHashMap<>();

    long add(List<String> names) {
        long h = next.getAndIncrement();
        dirs.put(h, names);
        return h;
    }

    List<String> get(long handle) throws ErrnoException {
        List<String> d = dirs.get(handle);
        if (d == null) {
            throw new ErrnoException(Errnos.EBADF);
        }
        return d;
    }

    void remove(long handle) {
        dirs.remove(handle);
    }
}
