package io.zproj.zfs;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a failed command's stderr into a typed {@link ZfsException}. Each pattern is one that
 * {@code zfs}, {@code zpool} or {@code umount} prints (zfs-fuse and OpenZFS), matched
 * case-insensitively after line breaks are folded, since zfs wraps long messages.
 */
final class ZfsErrors {

    private enum Kind {
        UNAVAILABLE("zfs-fuse daemon is running", "/dev/zfs and /proc/self/mounts are required",
                "the zfs module is not loaded"),
        POOL_NOT_FOUND("no such pool"),
        INCREMENTAL_MISMATCH("does not match incremental source", "not an earlier snapshot from the same fs",
                "incremental source .* no longer exists"),
        DESTINATION_MODIFIED("has been modified since most recent snapshot"),
        NOT_FOUND("dataset does not exist", "could not find any snapshots to destroy", "parent does not exist",
                "could not send .*: does not exist"),
        EXISTS("already exists", "destination '[^']*' exists", "destination has snapshots"),
        BUSY("dataset is busy", "pool is busy", "target is busy", "device is busy", "device or resource busy",
                "has dependent clones"),
        QUOTA("quota exceeded", "size is less than current used or reserved space"),
        NO_SPACE("out of space", "no space left on device"),
        INVALID_STREAM("invalid backup stream", "failed to read from stream", "checksum mismatch",
                "incomplete stream", "invalid stream", "bad magic number");

        private final Pattern pattern;

        Kind(String... alternatives) {
            this.pattern = Pattern.compile(String.join("|", alternatives), Pattern.CASE_INSENSITIVE);
        }
    }

    /** At most this much of stderr goes into an exception's message. */
    private static final int MESSAGE_LIMIT = 600;

    private ZfsErrors() {}

    /** The exception for a command that exited with {@code exitCode} and printed {@code stderr}. */
    static ZfsException classify(List<String> command, int exitCode, String stderr) {
        return classify(command, exitCode, stderr, "");
    }

    /**
     * The exception for a failed command, its message ending with {@code outcome} (what the
     * bridge found or did afterwards, e.g. that nothing partial was kept) unless that is empty.
     */
    static ZfsException classify(List<String> command, int exitCode, String stderr, String outcome) {
        String folded = fold(stderr);
        String message = describe(command) + " failed (exit " + exitCode + ")"
                + (folded.isEmpty() ? "" : ": " + folded) + (outcome.isEmpty() ? "" : "; " + outcome);
        for (Kind kind : Kind.values()) {
            if (kind.pattern.matcher(folded).find()) {
                return create(kind, message, command, exitCode, stderr);
            }
        }
        return new ZfsException(message, command, exitCode, stderr);
    }

    private static ZfsException create(Kind kind, String message, List<String> command, int exit, String stderr) {
        switch (kind) {
            case UNAVAILABLE: return new ZfsUnavailableException("ZFS is not available here (on zfs-fuse: is its daemon "
                    + "running? './zproj up' starts it): " + message, command, exit, stderr);
            case POOL_NOT_FOUND: return new PoolNotFoundException(message, command, exit, stderr);
            case INCREMENTAL_MISMATCH: return new IncrementalMismatchException(message, command, exit, stderr);
            case DESTINATION_MODIFIED: return new DestinationModifiedException(message, command, exit, stderr);
            case NOT_FOUND: return new DatasetNotFoundException(message, command, exit, stderr);
            case EXISTS: return new DatasetExistsException(message, command, exit, stderr);
            case BUSY: return new DatasetBusyException(message, command, exit, stderr);
            case QUOTA: return new QuotaExceededException(message, command, exit, stderr);
            case NO_SPACE: return new OutOfSpaceException(message, command, exit, stderr);
            case INVALID_STREAM: return new InvalidStreamException(message, command, exit, stderr);
            default: throw new AssertionError(kind);
        }
    }

    /**
     * stderr as one line: lines joined by spaces, runs of blanks collapsed, a usage text that
     * follows the message dropped, bounded.
     */
    static String fold(String stderr) {
        if (stderr == null) {
            return "";
        }
        String text = stderr;
        int usage = text.toLowerCase(Locale.ROOT).indexOf("usage:");
        if (usage >= 0) {
            text = text.substring(0, usage);
        }
        text = text.replaceAll("\\s+", " ").trim();
        return text.length() > MESSAGE_LIMIT ? text.substring(0, MESSAGE_LIMIT) + "..." : text;
    }

    /** A command for a message: the binary's file name and its arguments. */
    static String describe(List<String> command) {
        if (command.isEmpty()) {
            return "(no command)";
        }
        String bin = command.get(0);
        StringBuilder sb = new StringBuilder(bin.substring(bin.lastIndexOf('/') + 1));
        for (int i = 1; i < command.size(); i++) {
            sb.append(' ').append(command.get(i));
        }
        return sb.toString();
    }
}
