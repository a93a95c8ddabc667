package io.zproj.zfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountTableTest {

    private static final List<String> LINES = List.of(
            "27 1 0:25 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            "43 27 0:40 / /projects rw,nosuid,nodev,relatime shared:5 - fuse.zproj zproj rw,user_id=0,allow_other",
            "45 43 0:41 / /projects/9a1c3e5f-7b2d-4f6a-8e0c-1d3f5a7b9c02 rw,nosuid,nodev,relatime - fuse.zfs"
                    + " zproj/cache/9a1c3e5f-7b2d-4f6a-8e0c-1d3f5a7b9c02 rw,default_permissions",
            "50 27 0:44 / /mnt/with\\040a\\040space rw,relatime - fuse.zfs tank/a\\134b rw",
            "garbage line");

    @Test
    void parse_readsMountpointTypeSourceAndOptions_withOptionalFields() {
        List<MountTable.Mount> mounts = MountTable.parse(LINES);
        assertThat(mounts).hasSize(4);
        MountTable.Mount projects = mounts.get(1);
        assertThat(projects.mountpoint()).isEqualTo(Path.of("/projects"));
        assertThat(projects.fsType()).isEqualTo("fuse.zproj");
        assertThat(projects.source()).isEqualTo("zproj");
        assertThat(projects.has("nosuid")).isTrue();
        assertThat(projects.has("suid")).isFalse();
        assertThat(mounts.get(2).fsType()).isEqualTo("fuse.zfs");
    }

    @Test
    void parse_unescapesSpacesAndBackslashes_regressionSpaceInMountpoint() {
        MountTable.Mount m = MountTable.parse(LINES).get(3);
        assertThat(m.mountpoint()).isEqualTo(Path.of("/mnt/with a space"));
        assertThat(m.source()).isEqualTo("tank/a\\b");
        assertThat(MountTable.unescape("no escapes")).isEqualTo("no escapes");
        assertThat(MountTable.unescape("tab\\011end\\")).isEqualTo("tab\tend\\");
    }
}
