package io.zproj.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartialReportTest {

    private final List<Sample> samples = new ArrayList<>();
    private final List<String> writes = new ArrayList<>();
    private final PartialReport report = new PartialReport(samples, failure -> writes.add(String.valueOf(failure)));

    @Test
    void nothingMeasured_writesNothing() {
        assertThat(report.writeOnce("interrupted")).isFalse();
        assertThat(writes).isEmpty();
    }

    @Test
    void theFirstCallWrites_withItsReason_andLaterOnesDoNot() {
        samples.add(Sample.seconds("5 zproj limits", "cold fault-in 100 MB", "zproj", 1, 0.7));
        assertThat(report.writeOnce("interrupted before the end")).isTrue();
        assertThat(report.writeOnce(null)).isFalse();
        assertThat(writes).containsExactly("interrupted before the end");
    }

    @Test
    void aWriterThatFails_isToldNotThrown_andNotRetried() {
        samples.add(Sample.seconds("5 zproj limits", "cold fault-in 100 MB", "zproj", 1, 0.7));
        PartialReport failing = new PartialReport(samples, failure -> {
            writes.add("tried");
            throw new IOException("disk full");
        });
        assertThat(failing.writeOnce(null)).isFalse();
        assertThat(failing.writeOnce(null)).isFalse();
        assertThat(writes).containsExactly("tried");
    }
}
