package io.zproj.zfs;

import java.util.List;

/** The pool the command names is not imported (or does not exist). */
public class PoolNotFoundException extends ZfsException {

    private static final long serialVersionUID = 1L;

    public PoolNotFoundException(String message, List<String> command, int exitCode, String stderr) {
        super(message, command, exitCode, stderr);
    }
}
