package io.zproj.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The system tools the native mounts run are named by absolute path, not looked up in the daemon's PATH. */
class NativeMountsToolTest {

    @Test
    void mountAndUmount_areAbsolutePathsToExecutables() {
        for (String name : new String[] {"mount", "umount"}) {
            Path p = Path.of(NativeMounts.tool(name));
            assertThat(p).as(name).isAbsolute();
            assertThat(p.getFileName().toString()).isEqualTo(name);
            assertThat(Files.isExecutable(p)).as(p.toString()).isTrue();
        }
    }

    @Test
    void aToolInNoneOfTheUsualDirectories_fallsBackToItsName() {
        assertThat(NativeMounts.tool("zproj-no-such-tool")).isEqualTo("zproj-no-such-tool");
    }
}
