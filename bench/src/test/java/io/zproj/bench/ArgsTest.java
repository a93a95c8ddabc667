package io.zproj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ArgsTest {

    /** The launcher passes its --out before the user's: the user's wins (it used to fail as given twice). */
    @Test
    void anOptionGivenTwice_takesItsLastValue() {
        TransferBench.Line l = Args.parse(new TransferBench.Line(),
                new String[] {"--out", "/repo/bench/results", "--runs", "2", "--out", "/tmp/mine"});
        assertThat(l.out).isEqualTo(Path.of("/tmp/mine"));
        assertThat(l.runs).isEqualTo(2);
        assertThat(l.randomMb).isEqualTo(256);
    }

    @Test
    void anUnknownOption_saysWhich_andTheUsage() {
        assertThatThrownBy(() -> Args.parse(new TransferBench.Line(), new String[] {"--bogus"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--bogus")
                .hasMessageContaining("Usage: zproj bench transfer");
    }
}
