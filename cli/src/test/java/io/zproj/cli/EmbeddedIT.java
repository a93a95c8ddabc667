package io.zproj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.zproj.zfs.PoolName;
import io.zproj.zfs.testing.TestPool;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ./zproj up} and {@code ./zproj down} as a user runs them, in a place of their own
 * (data dir, mountpoint, pool name and ports from the environment), twice each.
 */
class EmbeddedIT {

    private static final Path LAUNCHER = Path.of("..", "zproj").toAbsolutePath().normalize();
    private static Path data;
    private static Map<String, String> env;
    private static PoolName pool;

    @BeforeAll
    static void place() throws IOException {
        // named like the test pools, so a crashed run's pool and directory are swept by the next run
        pool = PoolName.of("zpt" + ProcessHandle.current().pid() + "_embedded");
        data = Files.createTempDirectory("zproj-it-" + pool.value() + "-");
        int a;
        int b;
        try (ServerSocket s1 = new ServerSocket(0); ServerSocket s2 = new ServerSocket(0)) {
            a = s1.getLocalPort();
            b = s2.getLocalPort();
        }
        env = Map.of("ZPROJ_DATA", data.toString(), "ZPROJ_MOUNT", data.resolve("projects").toString(),
                "ZPROJ_POOL", pool.value(), "ZPROJ_PORTS", a + "," + b);
    }

    @AfterAll
    static void clean() throws Exception {
        launcher("down");
        TestPool.zfs().destroyPool(pool);
        TestPool.deleteTree(data);
    }

    private static String launcher(String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new java.util.ArrayList<>(List.of(LAUNCHER.toString())))
                .redirectErrorStream(true);
        pb.command().addAll(List.of(args));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void up_twice_down_twice_up_again_keepsTheData() throws Exception {
        String up = launcher("up");
        assertThat(up).contains("up: replicas on").contains("try:");
        Path headers = data.resolve("projects").resolve(SetupEmbeddedCommand.HEADERS.toString());
        assertThat(Files.readString(headers.resolve("acct.h"))).contains("BSD Process Accounting");
        Path sources = data.resolve("projects").resolve(SetupEmbeddedCommand.SOURCES.toString());
        assertThat(sources.resolve("README.md")).exists();
        assertThat(sources.resolve("cli").resolve("target")).doesNotExist();
        Files.writeString(headers.resolve("NOTE.txt"), "written before down");

        // TLS end to end: the launcher's commands use the admin certificate; plain text is refused
        String port = env.get("ZPROJ_PORTS").split(",")[0];
        assertThat(up).contains("mutual TLS");
        assertThat(launcher("ls", "--from", "127.0.0.1:" + port)).contains(SetupEmbeddedCommand.HEADERS.toString());
        ProcessBuilder plain = new ProcessBuilder(LAUNCHER.toString(), "ls", "--from", "127.0.0.1:" + port, "--tls", "")
                .redirectErrorStream(true);
        plain.environment().putAll(env);
        Process p = plain.start();
        String refused = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(refused).contains("handshake with 127.0.0.1:" + port + " failed");
        assertThat(Files.readString(data.resolve("logs/replica-a.log"))).contains("TLS 1.3 with BoringSSL");
        assertThat(java.nio.file.Files.getPosixFilePermissions(data.resolve("tls/admin/node.key")))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        assertThat(launcher("up")).contains("up: replicas on"); // idempotent
        assertThat(launcher("down")).contains("down: data kept");
        assertThat(headers.resolve("acct.h")).doesNotExist();   // unmounted
        assertThat(launcher("down")).contains("down: data kept"); // idempotent

        launcher("up");
        assertThat(Files.readString(headers.resolve("NOTE.txt"))).isEqualTo("written before down");
        launcher("down");
    }
}
