package io.zproj.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DatasetPropertiesTest {

    @Test
    void typedSetters_giveZfsValuesInOrder() {
        DatasetProperties p = DatasetProperties.create().compression("lz4").quota(1 << 20).atime(false)
                .snapdirVisible(false).canmount(DatasetProperties.CanMount.NOAUTO)
                .mountpoint(Path.of("/var/lib/zproj/mnt/x"));
        assertThat(p.asMap()).containsExactly(
                java.util.Map.entry("compression", "lz4"), java.util.Map.entry("quota", "1048576"),
                java.util.Map.entry("atime", "off"), java.util.Map.entry("snapdir", "hidden"),
                java.util.Map.entry("canmount", "noauto"), java.util.Map.entry("mountpoint", "/var/lib/zproj/mnt/x"));
    }

    @Test
    void quota_zero_isNone() {
        assertThat(DatasetProperties.create().quota(0).asMap()).containsEntry("quota", "none");
    }

    @Test
    void set_userProperty_isAccepted() {
        assertThat(DatasetProperties.create().set("io.zproj:owner", "alice").asMap())
                .containsEntry("io.zproj:owner", "alice");
    }

    @Test
    void set_badNamesAndValues_areRejected() {
        DatasetProperties p = DatasetProperties.create();
        assertThatThrownBy(() -> p.set("-o", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.set("Quota", "1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.set("quota", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.set("quota", "1\n2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.quota(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mountpoint_relativeOrDotDot_isRejected() {
        DatasetProperties p = DatasetProperties.create();
        assertThatThrownBy(() -> p.mountpoint(Path.of("rel/x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.mountpoint(Path.of("/a/../etc"))).hasMessageContaining("'..'");
    }
}
