package io.zproj.zfs;

import java.util.List;

/** A command ran past its timeout, or a stream made no progress for too long, and was killed. */
public class CommandTimeoutException extends ZfsException {

    private static final long serialVersionUID = 1L;

    public CommandTimeoutException(String message, List<String> command, int exitCode, String stderr) {
        super(message, command, exitCode, stderr);
    }
}
