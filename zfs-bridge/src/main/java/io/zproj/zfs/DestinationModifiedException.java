package io.zproj.zfs;

import java.util.List;

/** The receive target was changed since its newest snapshot; an incremental receive without force refuses to overwrite it. */
public class DestinationModifiedException extends ZfsException {

    private static final long serialVersionUID = 1L;

    public DestinationModifiedException(String message, List<String> command, int exitCode, String stderr) {
        super(message, command, exitCode, stderr);
    }
}
