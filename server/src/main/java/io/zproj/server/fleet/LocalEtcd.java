package io.zproj.server.fleet;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real etcd (Debian's {@code etcd-server}), one member on free loopback ports with its data in
 * a temporary directory, started and awaited healthy: what the tests and the fleet benchmark run
 * against. {@link #kill()} and {@link #start()} again keep the data, {@link #close()} removes it.
 * It dies with the JVM (a shutdown hook).
 */
public final class LocalEtcd implements AutoCloseable {

    private final Path dir;
    private final int clientPort;
    private final int peerPort;
    private final int healthPort;
    private final java.util.Optional<Path> tls;
    private Process process;
    private final Thread hook = new Thread(this::kill, "zproj-etcd-stop");

    private LocalEtcd(Path dir, int clientPort, int peerPort, int healthPort, java.util.Optional<Path> tls) {
        this.dir = dir;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.healthPort = healthPort;
        this.tls = tls;
    }

    /** For tests: data under a temporary {@code zproj-it-etcd-*} directory (swept by {@code ./zproj test}). */
    public static LocalEtcd launch() throws IOException {
        return launch("zproj-it-etcd-");
    }

    /** An etcd with its data in a new temporary directory named {@code prefix...}. */
    public static LocalEtcd launch(String prefix) throws IOException {
        return launch(prefix, java.util.Optional.empty());
    }

    /**
     * @param tls a node directory from {@code zproj ca issue ... --role server} (with 127.0.0.1
     *            among its names): clients then speak TLS and must present a certificate of that
     *            CA ({@code --client-cert-auth}): only zproj's identities get in
     */
    public static LocalEtcd launch(String prefix, java.util.Optional<Path> tls) throws IOException {
        int client;
        int peer;
        int health;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0);
                ServerSocket c = new ServerSocket(0)) {
            client = a.getLocalPort();
            peer = b.getLocalPort();
            health = c.getLocalPort();
        }
        LocalEtcd etcd = new LocalEtcd(Files.createTempDirectory(prefix), client, peer, health, tls);
        Runtime.getRuntime().addShutdownHook(etcd.hook);
        etcd.start();
        return etcd;
    }

    public URI endpoint() {
        return URI.create((tls.isPresent() ? "https" : "http") + "://127.0.0.1:" + clientPort);
    }

    public List<URI> endpoints() {
        return List.of(endpoint());
    }

    /** Starts (again) on the same ports and data, and waits until it reports healthy. */
    public void start() throws IOException {
        String peerUrl = "http://127.0.0.1:" + peerPort;
        List<String> cmd = new java.util.ArrayList<>(List.of("etcd", "--name", "test", "--data-dir",
                dir.resolve("data").toString(), "--listen-client-urls", endpoint().toString(),
                "--advertise-client-urls", endpoint().toString(), "--listen-peer-urls", peerUrl,
                "--initial-advertise-peer-urls", peerUrl, "--initial-cluster", "test=" + peerUrl,
                "--listen-metrics-urls", "http://127.0.0.1:" + healthPort, "--log-level", "warn"));
        if (tls.isPresent()) {
            cmd.addAll(List.of("--cert-file", tls.get().resolve("node.pem").toString(), "--key-file",
                    tls.get().resolve("node.key").toString(), "--client-cert-auth", "--trusted-ca-file",
                    tls.get().resolve("ca.pem").toString()));
        }
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()))
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!healthy()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = Files.exists(dir.resolve("etcd.log")) ? Files.readString(dir.resolve("etcd.log")) : "";
                kill();
                throw new IOException("etcd did not come up on " + endpoint() + ": " + log);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    private boolean healthy() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + healthPort + "/health").toURL()
                    .openConnection();
            c.setConnectTimeout(200);
            c.setReadTimeout(500);
            try {
                return c.getResponseCode() == 200 && new String(c.getInputStream().readAllBytes()).contains("true");
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** etcd's resident memory now, in bytes (0 if it is not running). */
    public long residentBytes() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            // gone meanwhile
        }
        return 0;
    }

    /** SIGKILL: etcd gone as a crash leaves it. */
    public void kill() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() throws IOException {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down already
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
