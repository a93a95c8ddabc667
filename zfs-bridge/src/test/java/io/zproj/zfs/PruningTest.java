package io.zproj.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PruningTest {

    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private static final DatasetName DS = DatasetName.of("tank/p");

    /** zproj snapshots at the given ages (oldest first); guid = index + 1. */
    private static List<Snapshot> ages(Duration... ages) {
        List<Snapshot> out = new ArrayList<>();
        for (int i = 0; i < ages.length; i++) {
            Instant t = NOW.minus(ages[i]);
            out.add(new Snapshot(DS.snapshot(Snapshots.zprojName(t)), i + 1, i + 1, t));
        }
        return out;
    }

    private static List<String> destroyed(List<Snapshot> snaps, Set<Long> protect, boolean foreign) {
        return Pruning.toDestroy(snaps, KeepPolicy.DEFAULT, NOW, protect, foreign).stream()
                .map(s -> Long.toString(s.guid())).toList();
    }

    static Stream<Arguments> table() {
        Duration m = Duration.ofMinutes(1);
        Duration h = Duration.ofHours(1);
        Duration d = Duration.ofDays(1);
        return Stream.of(
                // all of the last hour are kept
                Arguments.of(List.of(m.multipliedBy(50), m.multipliedBy(30), m.multipliedBy(10), m), List.of()),
                // within a day: the newest of each clock hour; 09:50 and 10:20 are in different hours
                Arguments.of(List.of(h.multipliedBy(2).plus(m.multipliedBy(10)), h.plus(m.multipliedBy(40)), m),
                        List.of()),
                // 10:20 and 10:50 share an hour: the older goes
                Arguments.of(List.of(h.plus(m.multipliedBy(40)), h.plus(m.multipliedBy(10)), m), List.of("1")),
                Arguments.of(List.of(h.multipliedBy(3).plus(m.multipliedBy(50)), h.multipliedBy(3).plus(m.multipliedBy(20)), m),
                        List.of("1")),
                // within two weeks: the newest of each day
                Arguments.of(List.of(d.multipliedBy(3).plus(h.multipliedBy(5)), d.multipliedBy(3).plus(h), m),
                        List.of("1")),
                // older than two months: gone (unless newest)
                Arguments.of(List.of(d.multipliedBy(90), d.multipliedBy(80), m), List.of("1", "2")),
                // the newest stays however old
                Arguments.of(List.of(d.multipliedBy(200)), List.of()),
                // within two months: one per week
                Arguments.of(List.of(d.multipliedBy(40), d.multipliedBy(39), d.multipliedBy(20), m), List.of("1")));
    }

    @ParameterizedTest
    @MethodSource("table")
    void toDestroy_byAge(List<Duration> ages, List<String> expected) {
        assertThat(destroyed(ages(ages.toArray(Duration[]::new)), Set.of(), false)).isEqualTo(expected);
    }

    @Test
    void toDestroy_neverTheProtectedCommonSnapshot() {
        List<Snapshot> snaps = ages(Duration.ofDays(300), Duration.ofDays(200), Duration.ofMinutes(1));
        assertThat(destroyed(snaps, Set.of(2L), false)).containsExactly("1");
    }

    @Test
    void toDestroy_foreignSnapshots_onlyWhenAsked() {
        List<Snapshot> snaps = new ArrayList<>();
        Instant old = NOW.minus(Duration.ofDays(400));
        snaps.add(new Snapshot(DS.snapshot("2013-12-18T18:23:22"), 10, 1, old));
        snaps.addAll(ages(Duration.ofMinutes(1)));
        assertThat(Pruning.toDestroy(snaps, KeepPolicy.DEFAULT, NOW, Set.of(), false)).isEmpty();
        assertThat(Pruning.toDestroy(snaps, KeepPolicy.DEFAULT, NOW, Set.of(), true)).extracting(Snapshot::guid)
                .containsExactly(10L);
    }

    @Test
    void toDestroy_emptyList_isEmpty() {
        assertThat(Pruning.toDestroy(List.of(), KeepPolicy.DEFAULT, NOW, Set.of(), true)).isEmpty();
    }

    @Test
    void keepPolicy_parse() {
        assertThat(KeepPolicy.parse("all=1h,hourly=1d,daily=14d,weekly=61d")).isEqualTo(KeepPolicy.DEFAULT);
        assertThat(KeepPolicy.parse("all=30m").hourly()).isZero();
        assertThat(KeepPolicy.parse("all=30m,foreign=yes").foreign()).isTrue();
        assertThat(KeepPolicy.DEFAULT.foreign()).isFalse();
        assertThatThrownBy(() -> KeepPolicy.parse("foreign=maybe")).hasMessageContaining("yes or no");
        assertThatThrownBy(() -> KeepPolicy.parse("yearly=1w")).hasMessageContaining("unknown keep tier");
        assertThatThrownBy(() -> KeepPolicy.parse("all=5x")).hasMessageContaining("unknown unit");
        assertThatThrownBy(() -> KeepPolicy.parse("all")).hasMessageContaining("not a keep rule");
    }
}
