package io.zproj.zfs;

import java.util.List;

/** A receive got a stream that was cut short, corrupt or not a stream at all; nothing partial is kept. */
public class InvalidStreamException extends ZfsException {

    private static final long serialVersionUID = 1L;

    public InvalidStreamException(String message, List<String> command, int exitCode, String stderr) {
        super(message, command, exitCode, stderr);
    }
}
