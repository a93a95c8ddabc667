package io.zproj.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

    @Nested
    class ProjectIdParse {

        @Test
        void parse_canonicalLowerCase_roundTrips() {
            String text = "0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69";
            assertThat(ProjectId.parse(text).toString()).isEqualTo(text);
            assertThat(ProjectId.isValid(text)).isTrue();
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "0B5C4A3E-9D1F-4C2A-8E7B-1F2D3C4B5A69", "0b5c4a3e9d1f4c2a8e7b1f2d3c4b5a69",
                "{0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69}", "0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a6", "..",
                "0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69/..", " 0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69",
                "0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a6g", "-b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69"})
        void parse_notCanonical_isRejected(String text) {
            assertThat(ProjectId.isValid(text)).isFalse();
            assertThatThrownBy(() -> ProjectId.parse(text)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a project id");
        }

        @Test
        void isValid_null_isFalse() {
            assertThat(ProjectId.isValid(null)).isFalse();
        }

        @Test
        void compareTo_isTheOrderOfTheCanonicalStrings_andOfTheBytes() {
            java.util.List<ProjectId> ids = new java.util.ArrayList<>();
            for (String edge : new String[] {"00000000-0000-0000-0000-000000000000", "7fffffff-ffff-ffff-ffff-ffffffffffff",
                    "80000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
                    "80000000-0000-0000-7fff-ffffffffffff", "80000000-0000-0000-8000-000000000000"}) {
                ids.add(ProjectId.parse(edge)); // the sign bits of both halves, where a signed compare goes wrong
            }
            java.util.Random r = new java.util.Random(7);
            for (int i = 0; i < 2_000; i++) {
                ids.add(new ProjectId(new java.util.UUID(r.nextLong(), r.nextLong())));
            }
            java.util.List<String> byString = ids.stream().map(ProjectId::toString).sorted().toList();
            assertThat(ids.stream().sorted().map(ProjectId::toString).toList()).isEqualTo(byString);
            java.util.List<String> byBytes = ids.stream().sorted((a, b) -> java.util.Arrays.compareUnsigned(a.bytes(),
                    b.bytes())).map(ProjectId::toString).toList();
            assertThat(byBytes).isEqualTo(byString);
        }

        @Test
        void parse_controlCharacters_areEscapedInTheMessage() {
            assertThatThrownBy(() -> ProjectId.parse("a\nb")).hasMessageContaining("a\\u000ab");
        }
    }

    @Nested
    class DatasetNames {

        @ParameterizedTest
        @ValueSource(strings = {"projects", "tank/zproj", "tank/zproj/0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69",
                "p1/a_b.c:d-e"})
        void of_valid_isAccepted(String name) {
            assertThat(DatasetName.of(name).value()).isEqualTo(name);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "/tank", "tank/", "tank//x", "tank/..", "tank/.", "tank/../etc", "-tank",
                "tank/-o", "tank/a b", "tank/a;rm", "tank/x@snap", "tank/x%recv", "1tank", "tank/$(id)",
                "tank/a\nb"})
        void of_invalid_isRejected(String name) {
            assertThatThrownBy(() -> DatasetName.of(name)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid dataset name");
        }

        @Test
        void of_tooLong_isRejected() {
            assertThatThrownBy(() -> DatasetName.of("t/" + "a".repeat(254)))
                    .hasMessageContaining("longer than 255");
        }

        @Test
        void child_project_appendsUuid() {
            ProjectId p = ProjectId.parse("0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69");
            DatasetName child = DatasetName.of("tank/zproj").child(p);
            assertThat(child.value()).isEqualTo("tank/zproj/0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69");
            assertThat(child.leaf()).isEqualTo(p.toString());
            assertThat(child.pool()).isEqualTo(PoolName.of("tank"));
        }

        @Test
        void child_withSlashOrDots_isRejected() {
            DatasetName root = DatasetName.of("tank");
            assertThatThrownBy(() -> root.child("a/b")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> root.child("..")).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void isParentOf_onlyDirectChildren() {
            DatasetName root = DatasetName.of("tank/z");
            assertThat(root.isParentOf(DatasetName.of("tank/z/a"))).isTrue();
            assertThat(root.isParentOf(DatasetName.of("tank/z/a/b"))).isFalse();
            assertThat(root.isParentOf(DatasetName.of("tank/zz"))).isFalse();
            assertThat(root.isParentOf(root)).isFalse();
        }
    }

    @Nested
    class SnapshotNames {

        @ParameterizedTest
        @ValueSource(strings = {"projects/x@2013-12-18T18:23:22", "tank/a@zproj-20261124T101500Z",
                "tank/a@daily 2013"})
        void parse_valid_roundTrips(String full) {
            assertThat(SnapshotName.parse(full).full()).isEqualTo(full);
        }

        @ParameterizedTest
        @ValueSource(strings = {"tank/a", "tank/a@", "tank/a@b@c", "tank/a@-i", "tank/a@..", "tank/a@x/y",
                "tank/a@ lead", "@snap"})
        void parse_invalid_isRejected(String full) {
            assertThatThrownBy(() -> SnapshotName.parse(full)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class PoolNames {

        @ParameterizedTest
        @ValueSource(strings = {"mirror1", "raidz", "log", "spare9", "c0t0d0", "1pool", "-f", "a/b", "a@b", ""})
        void of_reservedOrInvalid_isRejected(String name) {
            assertThatThrownBy(() -> PoolName.of(name)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void of_plain_isAccepted() {
            assertThat(PoolName.of("projects").rootDataset()).isEqualTo(DatasetName.of("projects"));
        }
    }
}
