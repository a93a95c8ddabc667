package io.zproj.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CommandZfsTest {

    @Test
    void parseSize_roundedAndExact() {
        assertThat(CommandZfs.parseSize("250M")).isEqualTo(250L << 20);
        assertThat(CommandZfs.parseSize("556K")).isEqualTo(556L << 10);
        assertThat(CommandZfs.parseSize("1.5G")).isEqualTo(3L << 29);
        assertThat(CommandZfs.parseSize("268435456")).isEqualTo(268435456L);
        assertThat(CommandZfs.parseSize("-")).isZero();
    }

    @Test
    void parsePools_zpoolListLines() {
        List<PoolInfo> pools = CommandZfs.parsePools("tp1\t250M\t556K\t249M\tONLINE\nzp2\t1G\t0\t1G\tFAULTED\n");
        assertThat(pools).containsExactly(
                new PoolInfo(PoolName.of("tp1"), "ONLINE", 250L << 20, 556L << 10, 249L << 20),
                new PoolInfo(PoolName.of("zp2"), "FAULTED", 1L << 30, 0, 1L << 30));
        assertThat(CommandZfs.parsePools("")).isEmpty();
    }

    @Test
    void parsePools_shortLine_isRejected() {
        assertThatThrownBy(() -> CommandZfs.parsePools("tp1\t250M\n")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void parseQuota_noneForms_areEmpty() {
        assertThat(CommandZfs.parseQuota("0")).isEmpty();
        assertThat(CommandZfs.parseQuota("none")).isEmpty();
        assertThat(CommandZfs.parseQuota("-")).isEmpty();
        assertThat(CommandZfs.parseQuota("52428800")).isEqualTo(OptionalLong.of(52428800));
    }
}
