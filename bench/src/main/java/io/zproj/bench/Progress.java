package io.zproj.bench;

import java.io.PrintStream;
import java.util.Locale;

/** Which system and workload is running: a bar redrawn in place on a terminal, a line per step otherwise. */
final class Progress {

    private final PrintStream out;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private final int total;
    private int done;
    /** Set when the run is interrupted: no step starts after it. */
    private static volatile boolean stopping;

    Progress(PrintStream out, boolean terminal, int total) {
        this.out = out;
        this.terminal = terminal;
        this.total = Math.max(1, total);
    }

    /** From an interrupted run's shutdown hook: every step asked for after this fails. */
    static void stopAll() {
        stopping = true;
    }

    /**
     * Starts the next step.
     *
     * @throws java.util.concurrent.CancellationException if the run is being interrupted
     */
    synchronized void step(String what) {
        if (stopping) {
            throw new java.util.concurrent.CancellationException("interrupted before: " + what);
        }
        done = Math.min(done + 1, total);
        out.print(render(what) + (terminal ? "" : "\n"));
        out.flush();
    }

    /** A message that is not a step (setup, teardown). */
    synchronized void note(String what) {
        out.print((terminal ? "\r\033[K" : "") + "bench: " + what + "\n");
        out.flush();
    }

    synchronized void finish() {
        if (terminal) {
            out.print("\n");
            out.flush();
        }
    }

    String render(String what) {
        int width = 30;
        int filled = (int) ((long) width * done / total);
        long secs = (System.nanoTime() - start) / 1_000_000_000L;
        return String.format(Locale.ROOT, "%s[%s%s] %3d%% %d/%d %dm%02ds  %s", terminal ? "\r\033[K" : "",
                "#".repeat(filled), ".".repeat(width - filled), 100 * done / total, done, total, secs / 60, secs % 60,
                what);
    }
}
