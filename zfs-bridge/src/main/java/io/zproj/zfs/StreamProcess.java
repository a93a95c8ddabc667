package io.zproj.zfs;

import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A running {@code zfs send} or {@code zfs receive}: counts the bytes that cross its pipe,
 * kills it when it makes no progress for the configured idle timeout, and turns its end into
 * an exit status or a typed error.
 */
final class StreamProcess {

    private final List<String> command;
    private final Process process;
    private final BoundedCapture stderr;
    private final ZfsConfig config;
    private final ScheduledFuture<?> watchdog;
    private volatile long bytes;
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile boolean stalled;

    StreamProcess(List<String> command, Process process, BoundedCapture stderr, ZfsConfig config,
            ScheduledExecutorService watchdogs) {
        this.command = command;
        this.process = process;
        this.stderr = stderr;
        this.config = config;
        long idle = config.streamIdleTimeout().toNanos();
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), idle / 4);
        this.watchdog = watchdogs.scheduleAtFixedRate(() -> {
            if (process.isAlive() && System.nanoTime() - lastProgressNanos > idle) {
                stalled = true;
                Processes.kill(process);
            }
        }, period, period, TimeUnit.NANOSECONDS);
    }

    Process process() {
        return process;
    }

    List<String> command() {
        return command;
    }

    /** Records that {@code n} bytes crossed the pipe. Called by the one thread that moves data. */
    void progressed(int n) {
        bytes += n;
        lastProgressNanos = System.nanoTime();
    }

    long bytes() {
        return bytes;
    }

    /**
     * Waits for the process to exit, at most the command timeout.
     *
     * @return the exit status
     * @throws ZfsException if it stalled, timed out or the wait was interrupted (it is killed then)
     */
    int awaitExit() throws ZfsException {
        try {
            boolean exited = process.waitFor(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
            watchdog.cancel(false);
            if (stalled) {
                throw new CommandTimeoutException(ZfsErrors.describe(command) + " moved no data for "
                        + config.streamIdleTimeout().toSeconds() + " s and was killed", command, -1, stderr());
            }
            if (!exited) {
                Processes.kill(process);
                throw new CommandTimeoutException(ZfsErrors.describe(command) + " did not exit within "
                        + config.commandTimeout().toSeconds() + " s of its stream's end and was killed",
                        command, -1, stderr());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
            throw new ZfsException(ZfsErrors.describe(command) + " was interrupted and killed", e);
        }
    }

    /** Kills the process (and anything it started) and waits for it to go. */
    void kill() {
        watchdog.cancel(false);
        Processes.kill(process);
    }

    /** stderr so far; all of it once the process has exited. */
    String stderr() {
        try {
            return process.isAlive() ? stderr.text() : stderr.await(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return stderr.text();
        }
    }
}
