package io.zproj.zfs;

import java.util.concurrent.TimeUnit;

/** What every module does to a child process it gives up on. */
public final class Processes {

    private Processes() {}

    /**
     * Kills a command and what it started, and waits up to 10 s for it to go. The command goes
     * first: killed after a child, a shell would go on (its next line, or exit 0 after
     * {@code wait}) before its own kill lands. Its descendants are listed before, while they are
     * still its own.
     */
    public static void kill(Process process) {
        var descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
