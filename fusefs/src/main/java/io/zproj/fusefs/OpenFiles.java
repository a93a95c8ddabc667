package io.zproj.fusefs;

import io.zproj.zfs.ProjectId;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Open files by handle: FUSE keeps the handle, we keep the fd and its project. An unknown handle is EBADF. */
final class OpenFiles {

    /** An open backing file. */
    record OpenFile(int fd, ProjectId project) {}

    private final AtomicLong next = new AtomicLong(1);
    private final ConcurrentHashMap<Long, OpenFile> files = new ConcurrentHashMap<>();

    long add(OpenFile f) {
        long h = next.getAndIncrement();
        files.put(h, f);
        return h;
    }

    OpenFile get(long handle) throws ErrnoException {
        OpenFile f = files.get(handle);
        if (f == null) {
            throw new ErrnoException(Errnos.EBADF);
        }
        return f;
    }

    /** The open file, or null for an unknown handle. */
    OpenFile find(long handle) {
        return files.get(handle);
    }

    OpenFile remove(long handle) throws ErrnoException {
        OpenFile f = files.remove(handle);
        if (f == null) {
            throw new ErrnoException(Errnos.EBADF);
        }
        return f;
    }

    /** Whether any file of {@code project} is open. */
    boolean anyOpen(ProjectId project) {
        return files.values().stream().anyMatch(f -> f.project().equals(project));
    }
}
