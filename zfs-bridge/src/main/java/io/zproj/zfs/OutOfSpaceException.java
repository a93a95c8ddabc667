package io.zproj.zfs;

import java.util.List;

/** The pool, or a quota above the dataset, has no room for what the command writes. */
public class OutOfSpaceException extends ZfsException {

    private static final long serialVersionUID = 1L;

    public OutOfSpaceException(String message, List<String> command, int exitCode, String stderr) {
        super(message, command, exitCode, stderr);
    }
}
