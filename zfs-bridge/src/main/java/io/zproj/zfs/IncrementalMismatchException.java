package io.zproj.zfs;

import java.util.List;

/** An incremental stream's base is not the target's newest snapshot: the two sides have diverged or the stream is stale. */
public class IncrementalMismatchException extends ZfsException {

    private static final long serialVersionUID = 1L;

    public IncrementalMismatchException(String message, List<String> command, int exitCode, String stderr) {
        super(message, command, exitCode, stderr);
    }
}
