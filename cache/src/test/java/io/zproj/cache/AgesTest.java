package io.zproj.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AgesTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    private static String ago(Duration d) {
        return Ages.format(NOW.minus(d), NOW);
    }

    @Test
    void agesRoundToTheUnitPeopleUse() {
        assertThat(ago(Duration.ofSeconds(2))).isEqualTo("just now");
        assertThat(ago(Duration.ofSeconds(45))).isEqualTo("45 s ago");
        assertThat(ago(Duration.ofMinutes(12))).isEqualTo("12 min ago");
        assertThat(ago(Duration.ofHours(1))).isEqualTo("1 hour ago");
        assertThat(ago(Duration.ofHours(3).plusMinutes(20))).isEqualTo("3 hours ago");
        assertThat(ago(Duration.ofDays(2))).isEqualTo("2 days ago");
        assertThat(ago(Duration.ofDays(30))).isEqualTo("4 weeks ago");
        assertThat(Ages.format(NOW.plusSeconds(600), NOW)).isEqualTo("in 10 min (a clock ahead)");
    }
}
