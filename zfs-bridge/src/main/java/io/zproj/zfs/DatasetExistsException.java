package io.zproj.zfs;

import java.util.List;

/** The dataset, snapshot or pool to be created already exists. */
public class DatasetExistsException extends ZfsException {

    private static final long serialVersionUID = 1L;

    public DatasetExistsException(String message, List<String> command, int exitCode, String stderr) {
        super(message, command, exitCode, stderr);
    }
}
