package io.zproj.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code zproj} daemon (server or mount) started by the suite as its own JVM, as a user's
 * would run, with its output in a log file; stopped with SIGTERM (the mount writes back and
 * unmounts), and killed only if it outlives a minute.
 */
final class Daemon implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private Daemon(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code java -jar jar args...} with its output appended to {@code logs/<name>.log}. */
    static Daemon start(Path jar, Path logs, String name, String... args) throws IOException {
        Files.createDirectories(logs);
        Path log = logs.resolve(name + ".log");
        List<String> cmd = new ArrayList<>(java(jar));
        cmd.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(cmd);
        b.environment().put("ZPROJ_TLS", BenchTls.admin().toString());
        Process p = b.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new Daemon(name, p, log);
    }

    /** Waits until something listens on the address; @throws IOException if the daemon died or 60 s passed */
    Daemon awaitListening(InetSocketAddress address) throws IOException {
        return await("listen on " + address, () -> {
            try (Socket s = new Socket()) {
                s.connect(address, 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Waits until the mountpoint shows in /proc/mounts. */
    Daemon awaitMounted(Path mountpoint) throws IOException {
        return await("mount " + mountpoint, () -> Mounts.isMounted(mountpoint));
    }

    interface Check {
        boolean ok() throws IOException;
    }

    Daemon await(String what, Check check) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!check.ok()) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited (" + process.exitValue() + ") before it could " + what
                        + "; its log: " + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(name + " did not " + what + " within 60 s; its log: " + tail());
            }
            sleep(5);
        }
        return this;
    }

    /** Its resident memory now, in bytes (0 once it has exited). */
    long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            // exited
        }
        return 0;
    }

    /**
     * CPU milliseconds (user and system) its JIT compiler threads used so far: the threads the
     * JVM names {@code C1 CompilerThread<n>} and {@code C2 CompilerThread<n>} (the name in
     * {@code /proc} is cut at 15 characters). 0 once it has exited.
     */
    long compilerCpuMillis() {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                ticks += compilerTicks(t);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0; // exited
        }
        return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
    }

    /** USER_HZ: what /proc counts CPU time in, 100 on every Linux architecture zproj runs on. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    /** A thread's utime + stime in clock ticks if it is a JIT compiler thread, else 0 (also if it ended). */
    static long compilerTicks(Path task) {
        try {
            String comm = Files.readString(task.resolve("comm")).strip();
            if (!comm.startsWith("C1 CompilerThre") && !comm.startsWith("C2 CompilerThre")) {
                return 0;
            }
            return cpuTicks(Files.readString(task.resolve("stat")));
        } catch (IOException e) {
            return 0;
        }
    }

    /** utime + stime from a {@code /proc/.../stat} line: fields 14 and 15. */
    static long cpuTicks(String stat) {
        String[] f = statFields(stat);
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /**
     * The fields of a {@code /proc/.../stat} line after the command name, from the state (field 3)
     * on: counted after the name's last closing parenthesis, since the name may hold spaces and
     * parentheses.
     */
    static String[] statFields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 1).strip().split(" ");
    }

    /** SIGKILL, as a crash would, and wait for it to go. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait; SIGKILL after a minute. Never throws. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                Suite.warn(name + " (pid " + process.pid() + ") ignored SIGTERM for 60 s; killing it");
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** A running {@code zproj server} and the {@code HOST:PORT} it listens on. */
    record Server(Daemon daemon, String address) {}

    /**
     * Starts {@code zproj server} for {@code root} on a free loopback port, its catalog under
     * {@code stateParent/<leaf>}, and waits until it listens.
     */
    static Server startServer(Path jar, Path logs, String root, String leaf, Path stateParent) throws IOException {
        InetSocketAddress at = freeLoopbackAddress();
        String addr = at.getHostString() + ":" + at.getPort();
        Daemon d = start(jar, logs, "server-" + leaf, "server", "--root", root, "--listen", addr, "--name", leaf,
                "--state", stateParent.resolve(leaf).toString(), "--tls", BenchTls.server().toString(),
                "--crl", BenchTls.crl().toString());
        try {
            d.awaitListening(at);
        } catch (IOException e) {
            d.close();
            throw e;
        }
        return new Server(d, addr);
    }

    /** A loopback address with a port free right now. */
    static InetSocketAddress freeLoopbackAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress("127.0.0.1", s.getLocalPort());
        }
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The daemons' JVM options file, {@code packaging/jvm.options} (the bench runs from the checkout's root). */
    static final Path JVM_OPTIONS = Path.of("packaging", "jvm.options").toAbsolutePath();

    /**
     * {@code java} with the daemons' JVM options, as {@code ./zproj up} and the systemd units start
     * them, then {@code -jar jar}.
     */
    static List<String> java(Path jar) throws IOException {
        if (!Files.isRegularFile(JVM_OPTIONS)) {
            throw new IOException("no " + JVM_OPTIONS + ": run the bench from the checkout's root (./zproj bench)");
        }
        return List.of(javaBinary(), "@" + JVM_OPTIONS, "-jar", jar.toString());
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
