package io.zproj.fusefs;

/** A libc call failed with {@code errno}; the adapter returns {@code -errno}. No stack trace: it is control flow. */
final class ErrnoException extends Exception {

    private static final long serialVersionUID = 1L;

    final int errno;

    ErrnoException(int errno) {
        super(null, null, false, false);
        this.errno = errno;
    }
}
