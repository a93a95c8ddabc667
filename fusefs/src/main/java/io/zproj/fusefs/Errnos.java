package io.zproj.fusefs;

import jnr.constants.platform.Errno;

/** The errno values the adapter itself produces (the rest come from libc). */
final class Errnos {

    static final int ENOENT = Errno.ENOENT.intValue();
    static final int EIO = Errno.EIO.intValue();
    static final int EBADF = Errno.EBADF.intValue();
    static final int EPERM = Errno.EPERM.intValue();
    static final int EXDEV = Errno.EXDEV.intValue();
    static final int EACCES = Errno.EACCES.intValue();
    static final int ENODATA = Errno.ENODATA.intValue();
    static final int EOPNOTSUPP = Errno.EOPNOTSUPP.intValue();
    static final int ENOSYS = Errno.ENOSYS.intValue();
    static final int ENOMEM = Errno.ENOMEM.intValue();
    static final int ENOSPC = Errno.ENOSPC.intValue();
    static final int EDQUOT = Errno.EDQUOT.intValue();
    static final int EROFS = Errno.EROFS.intValue();

    private Errnos() {}
}
