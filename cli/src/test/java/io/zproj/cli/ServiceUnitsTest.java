package io.zproj.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The systemd units in packaging/systemd: what `./zproj install-units` installs. */
class ServiceUnitsTest {

    private static final Path UNITS = Path.of("..", "packaging", "systemd");
    /** Directives that give a service a mount namespace of its own: its project mounts would be invisible. */
    private static final List<String> OWN_NAMESPACE = List.of("PrivateMounts=", "PrivateTmp=", "ProtectSystem=",
            "ProtectHome=", "MountFlags=", "ReadOnlyPaths=", "ReadWritePaths=", "InaccessiblePaths=", "TemporaryFileSystem=",
            "BindPaths=", "BindReadOnlyPaths=", "RootDirectory=", "RootImage=", "PrivateDevices=", "ProtectKernelTunables=");

    private static List<String> directives(String unit) throws IOException {
        return Files.readAllLines(UNITS.resolve(unit)).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    @Test
    void theMountUnit_staysInTheHostsMountNamespace_andRunsTheMountCommand() throws IOException {
        List<String> lines = directives("zproj-mount.service");
        assertThat(lines).noneMatch(l -> OWN_NAMESPACE.stream().anyMatch(l::startsWith));
        assertThat(lines).contains("ExecStart=/usr/bin/java @/usr/local/lib/zproj/jvm.options -jar /usr/local/lib/zproj/zproj.jar mount $ZPROJ_ARGS")
                .contains("KillSignal=SIGTERM").contains("StandardOutput=journal");
    }

    @Test
    void theServerUnit_isATemplatePerRoot_andRunsTheServerCommand() throws IOException {
        List<String> lines = directives("zproj-server@.service");
        assertThat(lines).contains("EnvironmentFile=/etc/zproj/server-%i.env")
                .contains("ExecStart=/usr/bin/java @/usr/local/lib/zproj/jvm.options -jar /usr/local/lib/zproj/zproj.jar server $ZPROJ_ARGS")
                .contains("StandardOutput=journal");
    }

    @Test
    void theDaemonsJvmOptions_areAnArgumentFileJavaAccepts_andSayWhatTheReadmeSays() throws Exception {
        Path options = Path.of("..", "packaging", "jvm.options").toAbsolutePath();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "@" + options,
                "-XX:+PrintFlagsFinal", "-version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("bool UseCodeCacheFlushing\\s+= false")
                .containsPattern("size_t MaxHeapSize\\s+= 536870912");
        Process props = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + options, "-XshowSettings:properties", "-version").redirectErrorStream(true).start();
        String settings = new String(props.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(props.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(settings).contains("jdk.lang.Process.launchMechanism = VFORK");
    }

    @Test
    void systemdAcceptsBothUnits(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "systemd-analyze is not installed here");
        Path instance = dir.resolve("zproj-server@projects.service");
        Files.copy(UNITS.resolve("zproj-server@.service"), instance);
        Path mount = dir.resolve("zproj-mount.service");
        Files.copy(UNITS.resolve("zproj-mount.service"), mount);
        for (Path unit : List.of(mount, instance)) {
            Process p = new ProcessBuilder("/usr/bin/systemd-analyze", "verify", unit.toString()).redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(unit + ": " + out).isZero();
        }
    }
}
