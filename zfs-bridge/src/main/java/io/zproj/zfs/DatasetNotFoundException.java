package io.zproj.zfs;

import java.util.List;

/** A dataset or snapshot the command names does not exist. */
public class DatasetNotFoundException extends ZfsException {

    private static final long serialVersionUID = 1L;

    public DatasetNotFoundException(String message, List<String> command, int exitCode, String stderr) {
        super(message, command, exitCode, stderr);
    }
}
