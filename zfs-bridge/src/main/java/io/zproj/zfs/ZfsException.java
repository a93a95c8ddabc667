package io.zproj.zfs;

import java.io.IOException;
import java.util.List;

/**
 * The root of every error the bridge reports: a {@code zfs} or {@code zpool} command that
 * failed, timed out or left a state the bridge had to reject. Subclasses name the causes a
 * caller can act on; a plain {@code ZfsException} is a failure that fits none of them.
 */
public class ZfsException extends IOException {

    private static final long serialVersionUID = 1L;

    private final List<String> command;
    private final int exitCode;
    private final String stderr;

    /**
     * @param message  what failed, for a person
     * @param command  the argument list that ran, or empty
     * @param exitCode the exit status, or -1 if the command did not exit on its own
     * @param stderr   what the command printed on stderr (bounded), or empty
     */
    public ZfsException(String message, List<String> command, int exitCode, String stderr) {
        super(message);
        this.command = List.copyOf(command);
        this.exitCode = exitCode;
        this.stderr = stderr == null ? "" : stderr;
    }

    public ZfsException(String message, Throwable cause) {
        super(message, cause);
        this.command = List.of();
        this.exitCode = -1;
        this.stderr = "";
    }

    /** The argument list that failed, empty if the failure was not a single command's. */
    public List<String> command() {
        return command;
    }

    /** The command's exit status, -1 if it was killed, timed out or never ran. */
    public int exitCode() {
        return exitCode;
    }

    /** What the command printed on stderr, bounded. */
    public String stderr() {
        return stderr;
    }
}
