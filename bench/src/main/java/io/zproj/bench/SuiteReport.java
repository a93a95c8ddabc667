package io.zproj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Writes the suite's results: {@code results.csv} (every run), {@code results.md} (the targets,
 * then a table per workload: each system's median with min and max, and zproj's speed relative
 * to each other system) and PNG charts beside them.
 */
final class SuiteReport {

    /** How the results were made. */
    record Context(boolean quick, int runs, String machine, double minutes, String failure) {}

    /** Median, min and max of one test on one system. */
    record Stat(double median, double min, double max, String unit, boolean higherIsBetter, String note) {}

    /** A target of the benchmark issue, and whether the measured ratio meets it. */
    record Target(String what, String measured, boolean met) {}

    static final List<String> SYSTEM_ORDER = List.of("zproj", "passthrough", "native", "gluster", Limits.PIPE);

    private SuiteReport() {}

    static void write(Path dir, List<Sample> samples, Context ctx) throws IOException {
        Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder("workload,test,system,run,value,unit,higher_is_better,note\n");
        for (Sample s : samples) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%.6f,%s,%s,%s%n", s.workload(), quote(s.test()),
                    quote(s.system()), s.run(), s.value(), s.unit(), s.higherIsBetter(), quote(s.note())));
        }
        Files.writeString(dir.resolve("results.csv"), csv);

        Map<String, Map<String, Map<String, Stat>>> stats = stats(samples);
        StringBuilder md = new StringBuilder("# zproj benchmarks\n\n");
        md.append(ctx.machine()).append("\n\n");
        if (ctx.failure() != null) {
            md.append("**Incomplete: the run failed (").append(ctx.failure()).append("); what it measured before is below.**\n\n");
        }
        md.append(String.format(Locale.ROOT, "Made by `./zproj bench%s` in %.0f min: %d runs of each measurement, the"
                + " systems interleaved (their order rotates every run); medians with (min–max). \"zproj ÷ X\" is"
                + " zproj's speed relative to X: above 1 zproj is faster (for times: X's time ÷ zproj's time).%n%n",
                ctx.quick() ? " --quick" : "", ctx.minutes(), ctx.runs()));
        List<Target> targets = targets(stats);
        if (!targets.isEmpty()) {
            md.append("## Targets\n\n| target | measured | met |\n| --- | --- | --- |\n");
            for (Target t : targets) {
                md.append("| ").append(t.what()).append(" | ").append(t.measured()).append(" | ")
                        .append(t.met() ? "yes" : "**no**").append(" |\n");
            }
            md.append('\n');
        }
        for (Map.Entry<String, Map<String, Map<String, Stat>>> w : stats.entrySet()) {
            md.append("## ").append(w.getKey()).append("\n\n");
            List<String> systems = systems(w.getValue());
            md.append("| test |");
            systems.forEach(s -> md.append(' ').append(s).append(" |"));
            List<String> others = systems.stream().filter(s -> !s.equals("zproj")).toList();
            boolean hasZproj = systems.contains("zproj");
            if (hasZproj) {
                others.forEach(s -> md.append(" zproj ÷ ").append(s).append(" |"));
            }
            md.append("\n|").append(" --- |".repeat(1 + systems.size() + (hasZproj ? others.size() : 0))).append('\n');
            for (Map.Entry<String, Map<String, Stat>> t : w.getValue().entrySet()) {
                md.append("| ").append(t.getKey()).append(" |");
                for (String s : systems) {
                    Stat st = t.getValue().get(s);
                    md.append(' ').append(st == null ? "" : cell(st)).append(" |");
                }
                if (hasZproj) {
                    for (String s : others) {
                        md.append(' ').append(speed(t.getValue(), s).map(r -> fmt(r) + "×").orElse("")).append(" |");
                    }
                }
                md.append('\n');
            }
            md.append('\n');
            try {
                for (String png : charts(dir, w.getKey(), w.getValue())) {
                    md.append("![").append(w.getKey()).append("](").append(png).append(")\n");
                }
            } catch (IOException | RuntimeException e) {
                // e.g. from the shutdown hook of an interrupted run, where AWT cannot start: the tables stand
                md.append("(no chart: ").append(e.getMessage()).append(")\n");
            }
            md.append('\n');
        }
        Files.writeString(dir.resolve("results.md"), md);
    }

    /** workload → test → system → stat, in the order first measured. */
    static Map<String, Map<String, Map<String, Stat>>> stats(List<Sample> samples) {
        Map<String, Map<String, Map<String, List<Sample>>>> grouped = new LinkedHashMap<>();
        for (Sample s : samples) {
            grouped.computeIfAbsent(s.workload(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(s.test(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(s.system(), k -> new ArrayList<>()).add(s);
        }
        Map<String, Map<String, Map<String, Stat>>> out = new LinkedHashMap<>();
        grouped.forEach((w, tests) -> tests.forEach((t, systems) -> systems.forEach((sys, runs) -> {
            double[] v = runs.stream().mapToDouble(Sample::value).sorted().toArray();
            double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
            Sample first = runs.get(0);
            String note = runs.get(runs.size() / 2).note();
            out.computeIfAbsent(w, k -> new LinkedHashMap<>()).computeIfAbsent(t, k -> new LinkedHashMap<>())
                    .put(sys, new Stat(median, v[0], v[v.length - 1], first.unit(), first.higherIsBetter(), note));
        })));
        return out;
    }

    /** zproj's speed relative to another system on one test (above 1: zproj is faster). */
    static Optional<Double> speed(Map<String, Stat> bySystem, String other) {
        Stat z = bySystem.get("zproj");
        Stat o = bySystem.get(other);
        if (z == null || o == null || z.median() <= 0 || o.median() <= 0) {
            return Optional.empty();
        }
        return Optional.of(z.higherIsBetter() ? z.median() / o.median() : o.median() / z.median());
    }

    /** The targets, for whatever was measured. */
    static List<Target> targets(Map<String, Map<String, Map<String, Stat>>> stats) {
        List<Target> out = new ArrayList<>();
        Map<String, Map<String, Stat>> unpack = stats.getOrDefault(Workloads.UNPACK, Map.of());
        ratio(out, unpack, t -> t.startsWith("unpack"), "gluster", 10, "unpack: zproj ≥ 10× faster than GlusterFS");
        for (String w : List.of(Workloads.UNPACK, Workloads.WALK, Workloads.IO, Workloads.SMALL)) {
            ratio(out, stats.getOrDefault(w, Map.of()), t -> !t.startsWith("then written back"), "native", 0.95,
                    "a cached project entered after its fault-in: zproj ≥ 0.95× native ZFS");
        }
        Map<String, Map<String, Stat>> limits = stats.getOrDefault(Workloads.LIMITS, Map.of());
        // the sizes; the 10 MB row is measured and shown in the table, with no target
        ratio(out, limits, t -> t.equals("cold fault-in 100 MB") || t.equals("cold fault-in 500 MB"), Limits.PIPE, 0.8,
                "cold fault-in: ≤ 1.25× the time of zfs send → zfs recv (speed ≥ 0.8×)");
        ratio(out, limits, t -> t.equals("first ls of the mount, 10,000 projects"), "native", 0.5,
                "first ls of a mount with 10,000 projects: within 2× of ls of a 10,000-entry directory on native zfs-fuse");
        Stat small = Optional.ofNullable(limits.get("mount start-up, 1,000 projects")).map(m -> m.get("zproj")).orElse(null);
        Stat large = Optional.ofNullable(limits.get("mount start-up, 10,000 projects")).map(m -> m.get("zproj")).orElse(null);
        if (small != null && large != null) {
            double r = large.median() / small.median();
            out.add(new Target("mount start-up: 10,000 projects ≤ 2× the time of 1,000",
                    fmt(large.median()) + " s vs " + fmt(small.median()) + " s: " + fmt(r) + "×", r <= 2));
        }
        return out;
    }

    private static void ratio(List<Target> out, Map<String, Map<String, Stat>> tests, Predicate<String> which,
            String other, double atLeast, String what) {
        for (Map.Entry<String, Map<String, Stat>> t : tests.entrySet()) {
            if (which.test(t.getKey())) {
                speed(t.getValue(), other).ifPresent(r -> out.add(new Target(what + " — " + t.getKey(),
                        fmt(r) + "×", r >= atLeast)));
            }
        }
    }

    /** One bar chart per workload and unit; the fault-in line chart. Returns the file names. */
    private static List<String> charts(Path dir, String workload, Map<String, Map<String, Stat>> tests)
            throws IOException {
        List<String> files = new ArrayList<>();
        Map<String, List<Charts.Bar>> byUnit = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Stat>> t : tests.entrySet()) {
            for (String s : systems(Map.of(t.getKey(), t.getValue()))) {
                Stat st = t.getValue().get(s);
                byUnit.computeIfAbsent(st.unit(), k -> new ArrayList<>())
                        .add(new Charts.Bar(t.getKey(), s, st.median(), st.min(), st.max()));
            }
        }
        String slug = workload.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("-$", "").toLowerCase(Locale.ROOT);
        for (Map.Entry<String, List<Charts.Bar>> u : byUnit.entrySet()) {
            String name = slug + (byUnit.size() > 1 ? "-" + u.getKey().replaceAll("[^A-Za-z]+", "").toLowerCase(Locale.ROOT)
                    : "") + ".png";
            double max = u.getValue().stream().mapToDouble(Charts.Bar::median).max().orElse(1);
            double min = u.getValue().stream().mapToDouble(Charts.Bar::median).filter(v -> v > 0).min().orElse(1);
            Charts.bars(dir.resolve(name), workload + " (" + u.getKey() + (u.getValue().get(0).median() >= 0
                    && isRate(u.getKey()) ? ", higher is better)" : ", lower is better)"), u.getKey(), u.getValue(),
                    max / min > 30);
            files.add(name);
        }
        List<Charts.Point> points = new ArrayList<>();
        for (Map.Entry<String, Map<String, Stat>> t : tests.entrySet()) {
            if (t.getKey().startsWith("cold fault-in ")) {
                double mb = Double.parseDouble(t.getKey().replaceAll("\\D+", ""));
                t.getValue().forEach((s, st) -> points.add(new Charts.Point(s, mb, st.median(), st.min(), st.max())));
            }
        }
        if (!points.isEmpty()) {
            Charts.lines(dir.resolve("fault-in.png"), "Cold fault-in time against project size", "project size (MB)",
                    "seconds", points);
            files.add("fault-in.png");
        }
        return files;
    }

    private static boolean isRate(String unit) {
        return unit.contains("/s") || unit.equals("IOPS");
    }

    private static List<String> systems(Map<String, Map<String, Stat>> tests) {
        Set<String> seen = new LinkedHashSet<>();
        tests.values().forEach(m -> seen.addAll(m.keySet()));
        List<String> out = new ArrayList<>(SYSTEM_ORDER.stream().filter(seen::contains).toList());
        seen.stream().filter(s -> !out.contains(s)).forEach(out::add);
        return out;
    }

    private static String cell(Stat s) {
        String c = fmt(s.median()) + " (" + fmt(s.min()) + "–" + fmt(s.max()) + ") " + s.unit();
        return s.note().isEmpty() ? c : c + "; " + s.note();
    }

    /** Three significant digits, no exponent. */
    static String fmt(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        int decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : a >= 0.1 ? 3 : 4;
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
