package io.zproj.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zproj.zfs.Plan.Point;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The planner's table: each row is a source and a target lineage, written as snapshot letters
 * oldest first (each letter one GUID), and the plan. Names never decide: a row whose names say
 * the opposite of the GUIDs plans by the GUIDs.
 */
class PlanTest {

    private static Point p(char c) {
        return new Point("s-" + c, 1000 + c);
    }

    private static List<Point> lineage(String letters) {
        List<Point> out = new ArrayList<>();
        for (char c : letters.toCharArray()) {
            out.add(p(c));
        }
        return out;
    }

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("A", "", new Plan.Full(p('A'))),
                Arguments.of("ABC", "", new Plan.Full(p('C'))),
                Arguments.of("ABC", "ABC", new Plan.UpToDate(p('C'))),
                Arguments.of("C", "ABC", new Plan.UpToDate(p('C'))), // pruned source, same head
                Arguments.of("ABC", "AB", new Plan.Incremental(p('B'), p('C'))),
                Arguments.of("ABC", "A", new Plan.Incremental(p('A'), p('C'))),
                Arguments.of("BC", "AB", new Plan.Incremental(p('B'), p('C'))), // source pruned A
                Arguments.of("AB", "ABC", new Plan.Behind(p('B'), p('C'))),
                Arguments.of("B", "ABC", new Plan.Behind(p('B'), p('C'))),
                Arguments.of("ABD", "ABC", new Plan.Diverged(p('D'), p('C'), Optional.of(p('B')))),
                Arguments.of("AD", "ABC", new Plan.Diverged(p('D'), p('C'), Optional.of(p('A')))),
                Arguments.of("DE", "ABC", new Plan.Diverged(p('E'), p('C'), Optional.empty())),
                // the stranded copy: the replica pruned the snapshot the copy is based on
                Arguments.of("CDE", "AB", new Plan.Diverged(p('E'), p('B'), Optional.empty())));
    }

    @ParameterizedTest(name = "source {0}, target {1}")
    @MethodSource("table")
    void plans_by_lineage(String source, String target, Plan expected) {
        assertThat(Plan.between(lineage(source), lineage(target))).isEqualTo(expected);
    }

    @Test
    void names_and_order_of_creation_do_not_decide() {
        // The target's head carries a "newer" name than anything the source has, yet the source descends from it.
        Point late = new Point("zproj-20991231T235959Z", 7);
        Point early = new Point("zproj-19700101T000000Z", 8);
        assertThat(Plan.between(List.of(late, early), List.of(late))).isEqualTo(new Plan.Incremental(late, early));
        assertThat(Plan.between(List.of(late), List.of(late, early))).isEqualTo(new Plan.Behind(late, early));
    }

    @Test
    void a_source_without_a_snapshot_has_nothing_to_plan() {
        assertThatThrownBy(() -> Plan.between(List.of(), lineage("A")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no snapshot");
    }

    @Test
    void diverged_names_both_heads_and_the_base() {
        Plan.Diverged d = (Plan.Diverged) Plan.between(lineage("ABD"), lineage("ABC"));
        assertThat(d.describe("server x", "the local copy")).isEqualTo("server x is at @s-D (guid 1068) and the local "
                + "copy at @s-C (guid 1067), both moved on from @s-B (guid 1066)");
        Plan.Diverged none = (Plan.Diverged) Plan.between(lineage("E"), lineage("C"));
        assertThat(none.describe("a", "b")).endsWith("with no snapshot in common");
    }
}
