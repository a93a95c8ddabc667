package io.zproj.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket is the daemon's own: 0600, and a user other than root or the daemon's is
 * refused even where the file's mode would let it connect (checked by the peer's credentials).
 * Runs a real client as {@code nobody} with {@code setpriv}.
 */
class ControlSocketIT {

    private static final String PROBE = """
            import java.net.*; import java.nio.*; import java.nio.channels.*; import java.nio.charset.*;
            public class Probe {
                public static void main(String[] a) throws Exception {
                    try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(a[0]))) {
                        c.write(ByteBuffer.wrap("status\\n".getBytes(StandardCharsets.UTF_8)));
                        ByteBuffer b = ByteBuffer.allocate(4096);
                        while (c.read(b) >= 0) { }
                        System.out.print(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
                    } catch (Exception e) { System.out.print("ERROR " + e.getMessage()); }
                }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void anotherUser_isRefused_byModeAndByCredentials() throws Exception {
        Path state = dir.resolve("state");
        ControlServer server = ControlServer.start(state, null); // a refused request never reaches the cache
        try {
            Path socket = ControlServer.socketPath(state);
            assertThat(Files.getPosixFilePermissions(socket)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path probe = dir.resolve("Probe.java");
            Files.writeString(probe, PROBE);
            Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rw-r--r--"));

            assertThat(asNobody(probe, socket)).startsWith("ERROR").contains("ermission denied");

            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-")); // an operator's mistake
            assertThat(asNobody(probe, socket)).contains("user nobody may not use this daemon's control socket")
                    .endsWith("FAILED\n");
        } finally {
            server.close();
        }
    }

    private String asNobody(Path probe, Path socket) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("probe.out");
        Process p = new ProcessBuilder(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", java,
                "-Djava.io.tmpdir=" + dir, "-Xshare:off", probe.toString(), socket.toString()))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    @Test
    void rootAndTheDaemonsUser_areAllowed() {
        assertThat(ControlServer.allowed(principal("root"), "zproj")).isTrue();
        assertThat(ControlServer.allowed(principal("zproj"), "zproj")).isTrue();
        assertThat(ControlServer.allowed(principal("mallory"), "zproj")).isFalse();
    }

    private static jdk.net.UnixDomainPrincipal principal(String user) {
        return new jdk.net.UnixDomainPrincipal(() -> user, () -> user);
    }
}
