package io.zproj.zfs;

import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one place that starts {@code zfs} and {@code zpool}: argument lists, never a shell;
 * {@code LC_ALL=C} so that messages parse; stdout and stderr drained on their own threads
 * with bounds; every command under a timeout and killed past it.
 */
final class CommandRunner implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CommandRunner.class.getName());
    private static final File DEV_NULL = new File("/dev/null");

    /** What a finished command left behind. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {}

    private final ZfsConfig config;
    private final ExecutorService drainers;
    private final ScheduledExecutorService watchdogs;

    CommandRunner(ZfsConfig config) {
        this.config = config;
        this.drainers = Executors.newCachedThreadPool(daemonThreads("zfs-io"));
        this.watchdogs = Executors.newSingleThreadScheduledExecutor(daemonThreads("zfs-watchdog"));
    }

    ZfsConfig config() {
        return config;
    }

    /** Runs a command on another thread, for one that need not wait for another. */
    java.util.concurrent.CompletableFuture<Result> runAsync(List<String> command) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return run(command);
            } catch (ZfsException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, drainers);
    }

    /** Runs a command to its end and returns its output. @throws ZfsException typed from stderr if it exits non-zero */
    Result run(List<String> command) throws ZfsException {
        Result result = runAllowingFailure(command);
        if (result.exitCode() != 0) {
            throw ZfsErrors.classify(command, result.exitCode(), result.stderr());
        }
        return result;
    }

    /**
     * Runs a command to its end whatever its exit status.
     *
     * @throws ZfsException only if it cannot start, prints more than the output bound, or times out
     */
    Result runAllowingFailure(List<String> command) throws ZfsException {
        if (MountLock.mayMount(command)) {
            try (MountLock.Held held = MountLock.acquire()) {
                return runToEnd(command);
            }
        }
        return runToEnd(command);
    }

    private Result runToEnd(List<String> command) throws ZfsException {
        Process process = start(command, ProcessBuilder.Redirect.from(DEV_NULL));
        BoundedCapture out = drain(process.getInputStream(), config.maxOutputBytes());
        BoundedCapture err = drain(process.getErrorStream(), config.maxStderrBytes());
        try {
            if (!process.waitFor(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                Processes.kill(process);
                throw new CommandTimeoutException(ZfsErrors.describe(command) + " did not finish within "
                        + config.commandTimeout().toSeconds() + " s and was killed", command, -1, err.text());
            }
            String stdout = out.await(5_000);
            String stderr = err.await(5_000);
            if (out.truncated()) {
                throw new ZfsException(ZfsErrors.describe(command) + " printed more than "
                        + config.maxOutputBytes() + " bytes", command, process.exitValue(), stderr);
            }
            LOG.log(Level.DEBUG, () -> ZfsErrors.describe(command) + " -> " + process.exitValue());
            return new Result(command, process.exitValue(), stdout, stderr);
        } catch (InterruptedException e) {
            Processes.kill(process);
            Thread.currentThread().interrupt();
            throw new ZfsException(ZfsErrors.describe(command) + " was interrupted and killed", e);
        }
    }

    /**
     * Starts a streaming command ({@code zfs send} or {@code zfs receive}); its stderr is drained
     * and bounded, its stdin and stdout are the caller's.
     */
    StreamProcess startStream(List<String> command, boolean pipeStdin) throws ZfsException {
        Process process = start(command,
                pipeStdin ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(DEV_NULL));
        Pipes.enlarge(process.pid(), pipeStdin ? 0 : 1);
        BoundedCapture err = drain(process.getErrorStream(), config.maxStderrBytes());
        return new StreamProcess(command, process, err, config, watchdogs);
    }

    private Process start(List<String> command, ProcessBuilder.Redirect stdin) throws ZfsException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(stdin);
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("LANG", "C");
        try {
            return pb.start();
        } catch (IOException e) {
            throw new ZfsException("cannot run " + ZfsErrors.describe(command) + ": " + e.getMessage(), e);
        }
    }

    private BoundedCapture drain(java.io.InputStream in, int limit) {
        BoundedCapture capture = new BoundedCapture(in, limit);
        drainers.execute(capture);
        return capture;
    }

    @Override
    public void close() {
        watchdogs.shutdownNow();
        drainers.shutdown();
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

}
