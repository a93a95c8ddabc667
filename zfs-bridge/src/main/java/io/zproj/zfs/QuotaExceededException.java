package io.zproj.zfs;

import java.util.List;

/** A quota was exceeded, or a quota was set below what the dataset already uses. */
public class QuotaExceededException extends ZfsException {

    private static final long serialVersionUID = 1L;

    public QuotaExceededException(String message, List<String> command, int exitCode, String stderr) {
        super(message, command, exitCode, stderr);
    }
}
