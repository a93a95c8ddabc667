package io.zproj.cache;

import java.util.List;

/** A project's mount cannot be taken away now: a process uses it. Temporary: try again later. */
public final class ProjectBusyException extends CacheException {

    private static final long serialVersionUID = 1L;

    private final List<String> holders;

    public ProjectBusyException(String message, List<String> holders) {
        super(message + (holders.isEmpty() ? "" : ": " + String.join("; ", holders)));
        this.holders = List.copyOf(holders);
    }

    /** The processes that use it, one line each (may be empty when the kernel says busy and /proc shows no one). */
    public List<String> holders() {
        return holders;
    }
}
