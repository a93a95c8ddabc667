package io.zproj.bench;

import io.zproj.zfs.Processes;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs the benchmark's external commands: argument lists (a shell only where a workload is a
 * shell pipeline by nature), {@code LC_ALL=C}, output captured, a timeout, and an error that
 * quotes the command and its stderr when it fails.
 */
final class Sh {

    /** What a finished command printed. */
    record Result(int exitCode, String stdout, String stderr) {}

    /** The commands running now, for {@link #stopAll}. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    private Sh() {}

    /** How many commands are running now. */
    static int running() {
        return RUNNING.size();
    }

    /**
     * Kills every command running now, with what it started, and waits up to 10 s for each to go.
     * For an interrupted run, before its teardown: a workload's shell left running keeps its
     * dataset busy, the unmount fails, and zfs-fuse then calls the pool busy until it restarts.
     */
    static void stopAll() {
        RUNNING.forEach(Processes::kill);
    }

    /** Runs a command to its end; @throws IOException if it exits non-zero or outlives the timeout */
    static String run(Duration timeout, String... argv) throws IOException {
        Result r = runAllowingFailure(timeout, argv);
        if (r.exitCode() != 0) {
            throw new IOException(String.join(" ", argv) + " failed (exit " + r.exitCode() + "): "
                    + (r.stderr().isBlank() ? r.stdout() : r.stderr()).strip());
        }
        return r.stdout();
    }

    /** Runs a command to its end; exits other than 0 are returned, not thrown. */
    static Result runAllowingFailure(Duration timeout, String... argv) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(new File("/dev/null"));
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        RUNNING.add(p);
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                Processes.kill(p);
                throw new IOException(String.join(" ", argv) + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", argv), e);
        } finally {
            RUNNING.remove(p);
        }
    }

    /** Runs a bash script ({@code set -euo pipefail}). */
    static String bash(Duration timeout, String script) throws IOException {
        return run(timeout, "bash", "-c", "set -euo pipefail\n" + script);
    }

    /** Times a command from start to exit, in seconds; its output is discarded unless it fails. */
    static double time(Duration timeout, String... argv) throws IOException {
        long start = System.nanoTime();
        run(timeout, argv);
        return (System.nanoTime() - start) / 1e9;
    }

    /** Whether a program is on the PATH. */
    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (new File(dir, program).canExecute()) {
                return true;
            }
        }
        return false;
    }

    /** Drops the kernel's page, dentry and inode caches (after a sync). */
    static void dropKernelCaches() throws IOException {
        run(Duration.ofMinutes(2), "sync");
        java.nio.file.Files.writeString(java.nio.file.Path.of("/proc/sys/vm/drop_caches"), "3\n");
    }

    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
