package io.zproj.zfs;

import java.util.List;

/** ZFS cannot be reached on this host: on zfs-fuse, the daemon is not running. */
public class ZfsUnavailableException extends ZfsException {

    private static final long serialVersionUID = 1L;

    public ZfsUnavailableException(String message, List<String> command, int exitCode, String stderr) {
        super(message, command, exitCode, stderr);
    }
}
