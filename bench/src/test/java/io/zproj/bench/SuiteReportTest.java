package io.zproj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteReportTest {

    private static List<Sample> runs(String workload, String test, String system, double... values) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            out.add(Sample.seconds(workload, test, system, i + 1, values[i]));
        }
        return out;
    }

    @Test
    void stats_oddAndEvenRuns_medianMinMax() {
        List<Sample> s = new ArrayList<>(runs("w", "t", "zproj", 3, 1, 2));
        s.addAll(runs("w", "t", "native", 4, 1, 3, 2));
        var st = SuiteReport.stats(s).get("w").get("t");
        assertThat(st.get("zproj").median()).isEqualTo(2);
        assertThat(st.get("zproj").min()).isEqualTo(1);
        assertThat(st.get("zproj").max()).isEqualTo(3);
        assertThat(st.get("native").median()).isEqualTo(2.5);
    }

    @Test
    void speed_timesAndRates_aboveOneMeansZprojFaster() {
        var times = SuiteReport.stats(concat(runs("w", "t", "zproj", 2), runs("w", "t", "gluster", 20)))
                .get("w").get("t");
        assertThat(SuiteReport.speed(times, "gluster")).contains(10.0);
        List<Sample> rates = List.of(new Sample("w", "r", "zproj", 1, 300, "MiB/s", true, ""),
                new Sample("w", "r", "native", 1, 400, "MiB/s", true, ""));
        assertThat(SuiteReport.speed(SuiteReport.stats(rates).get("w").get("r"), "native")).contains(0.75);
        assertThat(SuiteReport.speed(times, "native")).isEmpty();
    }

    @Test
    void targets_unpackAndStartUp_metOrMissedByRatio() {
        List<Sample> s = new ArrayList<>();
        s.addAll(runs(Workloads.UNPACK, "unpack 15224 files + sync", "zproj", 10));
        s.addAll(runs(Workloads.UNPACK, "unpack 15224 files + sync", "native", 8));
        s.addAll(runs(Workloads.UNPACK, "unpack 15224 files + sync", "gluster", 90));
        s.addAll(runs(Workloads.WALK, "ls -lR warm", "zproj", 1.0));
        s.addAll(runs(Workloads.WALK, "ls -lR warm", "native", 0.96));
        s.addAll(runs(Workloads.LIMITS, "first ls of the mount, 10,000 projects", "zproj", 0.11));
        s.addAll(runs(Workloads.LIMITS, "first ls of the mount, 10,000 projects", "native", 0.05));
        s.addAll(runs(Workloads.LIMITS, "cold fault-in 10 MB", "zproj", 0.2));
        s.addAll(runs(Workloads.LIMITS, "cold fault-in 10 MB", Limits.PIPE, 0.1));
        s.addAll(runs(Workloads.LIMITS, "cold fault-in 100 MB", "zproj", 0.7));
        s.addAll(runs(Workloads.LIMITS, "cold fault-in 100 MB", Limits.PIPE, 0.6));
        s.addAll(runs(Workloads.LIMITS, "cold fault-in 500 MB", "zproj", 4.0));
        s.addAll(runs(Workloads.LIMITS, "cold fault-in 500 MB", Limits.PIPE, 3.0));
        s.addAll(runs(Workloads.LIMITS, "mount start-up, 1,000 projects", "zproj", 1.0));
        s.addAll(runs(Workloads.LIMITS, "mount start-up, 10,000 projects", "zproj", 1.9));
        Map<String, Boolean> met = new java.util.HashMap<>();
        SuiteReport.targets(SuiteReport.stats(s)).forEach(t -> met.put(t.what(), t.met()));
        String cached = "a cached project entered after its fault-in: zproj ≥ 0.95× native ZFS — ";
        assertThat(met).containsEntry(cached + "unpack 15224 files + sync", false)
                .containsEntry(cached + "ls -lR warm", true)
                .containsEntry("unpack: zproj ≥ 10× faster than GlusterFS — unpack 15224 files + sync", false)
                .containsEntry("first ls of a mount with 10,000 projects: within 2× of ls of a 10,000-entry directory"
                        + " on native zfs-fuse — first ls of the mount, 10,000 projects", false)
                .containsEntry("mount start-up: 10,000 projects ≤ 2× the time of 1,000", true);
        String faultIn = "cold fault-in: ≤ 1.25× the time of zfs send → zfs recv (speed ≥ 0.8×) — cold fault-in ";
        assertThat(met).containsEntry(faultIn + "100 MB", true).containsEntry(faultIn + "500 MB", false)
                .doesNotContainKey(faultIn + "10 MB"); // the sizes only: 10 MB is in the table, not a target
    }

    @Test
    void write_partialRun_saysIncompleteAndWritesEveryRun(@TempDir Path dir) throws Exception {
        List<Sample> s = concat(runs(Workloads.WALK, "ls -lR cold", "zproj", 1, 2, 3),
                runs(Workloads.WALK, "ls -lR cold", "native", 1, 1, 1));
        SuiteReport.write(dir, s, new SuiteReport.Context(true, 3, "Measured here.", 1.5, "a disk filled up"));
        String md = Files.readString(dir.resolve("results.md"));
        assertThat(md).contains("Incomplete: the run failed (a disk filled up)")
                .contains("| ls -lR cold | 2.00 (1.00–3.00) s | 1.00 (1.00–1.00) s | 0.500× |")
                .contains("![2 walk](2-walk.png)");
        assertThat(Files.readAllLines(dir.resolve("results.csv"))).hasSize(1 + 6);
        assertThat(dir.resolve("2-walk.png")).isNotEmptyFile();
    }

    @Test
    void wire_sumsEveryReplicasLine() {
        assertThat(Workloads.wire(List.of("127.0.0.1:1: acked a@b (incremental, 10 bytes, 7 on the wire)",
                "127.0.0.1:2: acked a@b (incremental, 10 bytes, 8 on the wire)", "127.0.0.1:3: up to date"))).isEqualTo(15);
    }

    @Test
    void options_defaultsQuickAndBadInput() {
        Suite.Options d = Suite.Options.parse(new String[0]);
        assertThat(d.runs()).isEqualTo(5);
        assertThat(d.systems()).containsExactlyInAnyOrder("zproj", "passthrough", "native", "gluster");
        assertThatThrownBy(() -> Suite.Options.parse(new String[] {"--systems", "passthrough,native"}))
                .hasMessageContaining("add zproj");
        Suite.Options q = Suite.Options.parse(new String[] {"--quick", "--out", "/tmp/x", "--only", "1,5"});
        assertThat(q.runs()).isEqualTo(3);
        assertThat(q.out()).isEqualTo(Path.of("/tmp/x"));
        assertThat(q.workloads()).containsExactlyInAnyOrder(1, 5);
        assertThatThrownBy(() -> Suite.Options.parse(new String[] {"--systems", "ceph"}))
                .hasMessageContaining("unknown system 'ceph'");
        assertThatThrownBy(() -> Suite.Options.parse(new String[] {"--out"})).hasMessageContaining("Missing required parameter for option '--out'");
        assertThatThrownBy(() -> Suite.Options.parse(new String[] {"--fast"})).hasMessageContaining("Unknown option: '--fast'");
        assertThatThrownBy(() -> Suite.Options.parse(new String[] {"--runs", "x"})).hasMessageContaining("'x' is not an int");
        assertThatThrownBy(() -> Suite.Options.parse(new String[] {"--only", "6"})).hasMessageContaining("1 to 5");
    }

    @SafeVarargs
    private static List<Sample> concat(List<Sample>... lists) {
        List<Sample> out = new ArrayList<>();
        for (List<Sample> l : lists) {
            out.addAll(l);
        }
        return out;
    }
}
