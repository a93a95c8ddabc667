package io.zproj.zfs;

import java.util.List;

/** The dataset, its mount or its pool is in use (open files, a current directory, a running receive). */
public class DatasetBusyException extends ZfsException {

    private static final long serialVersionUID = 1L;

    public DatasetBusyException(String message, List<String> command, int exitCode, String stderr) {
        super(message, command, exitCode, stderr);
    }
}
