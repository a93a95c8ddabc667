package io.zproj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a benchmark's runs (CSV) and its summary (Markdown: medians with min and max, ratios). */
final class Report {

    /** One measured run. */
    record Row(String system, String workload, int run, double seconds, long rawBytes, long wireBytes) {}

    private Report() {}

    static void write(Path dir, String name, List<Row> rows, String method) throws IOException {
        StringBuilder csv = new StringBuilder("system,workload,run,seconds,raw_bytes,wire_bytes\n");
        for (Row r : rows) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.4f,%d,%d%n", r.system(), r.workload(), r.run(),
                    r.seconds(), r.rawBytes(), r.wireBytes()));
        }
        Files.writeString(dir.resolve(name + ".csv"), csv);

        Map<String, Map<String, List<Row>>> byWorkload = new LinkedHashMap<>();
        for (Row r : rows) {
            byWorkload.computeIfAbsent(r.workload(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.system(), k -> new ArrayList<>()).add(r);
        }
        StringBuilder md = new StringBuilder("# " + name + "\n\n" + machine() + "\n\n" + method + "\n\n");
        md.append("| workload | system | median s (min–max) | MiB/s (median) | raw MiB | wire MiB | wire/raw |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (Map.Entry<String, Map<String, List<Row>>> w : byWorkload.entrySet()) {
            Map<String, Double> medians = new LinkedHashMap<>();
            for (Map.Entry<String, List<Row>> s : w.getValue().entrySet()) {
                List<Row> runs = s.getValue();
                double[] secs = runs.stream().mapToDouble(Row::seconds).sorted().toArray();
                double median = secs[secs.length / 2];
                medians.put(s.getKey(), median);
                Row first = runs.get(0);
                md.append(String.format(Locale.ROOT, "| %s | %s | %.2f (%.2f–%.2f) | %.1f | %.1f | %.1f | %.2f |%n",
                        w.getKey(), s.getKey(), median, secs[0], secs[secs.length - 1],
                        first.rawBytes() / 1048576.0 / median, first.rawBytes() / 1048576.0,
                        first.wireBytes() / 1048576.0, (double) first.wireBytes() / Math.max(1, first.rawBytes())));
            }
            if (medians.containsKey("pipe") && medians.containsKey("zproj")) {
                md.append(String.format(Locale.ROOT, "| %s | **zproj throughput / pipe** | | **%.2f×** | | | |%n",
                        w.getKey(), medians.get("pipe") / medians.get("zproj")));
            }
            if (medians.containsKey("pipe") && medians.containsKey("zproj-tls")) {
                md.append(String.format(Locale.ROOT, "| %s | **zproj-tls throughput / pipe** | | **%.2f×** | | | |%n",
                        w.getKey(), medians.get("pipe") / medians.get("zproj-tls")));
            }
            if (medians.containsKey("pipe") && medians.containsKey("zproj-tls-lz4")) {
                md.append(String.format(Locale.ROOT, "| %s | **zproj-tls-lz4 throughput / pipe** | | **%.2f×** | | | |%n",
                        w.getKey(), medians.get("pipe") / medians.get("zproj-tls-lz4")));
            }
            if (medians.containsKey("zproj") && medians.containsKey("zproj-tls")) {
                md.append(String.format(Locale.ROOT, "| %s | **zproj-tls throughput / zproj** | | **%.2f×** | | | |%n",
                        w.getKey(), medians.get("zproj") / medians.get("zproj-tls")));
            }
        }
        Files.writeString(dir.resolve(name + ".md"), md);
    }

    /** The machine a result was measured on. */
    static String machine() {
        long memKb = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return String.format(Locale.ROOT, "Measured %s on %d cores, %.1f GiB RAM, Linux %s, Java %s, %s.",
                Instant.now().toString().substring(0, 16) + "Z", Runtime.getRuntime().availableProcessors(),
                memKb / 1048576.0, System.getProperty("os.version"), System.getProperty("java.version"),
                packageVersion("zfs-fuse"));
    }

    static String packageVersion(String pkg) {
        try {
            Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", pkg).start();
            String v = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 && !v.isEmpty() ? pkg + " " + v : pkg + " (version unknown)";
        } catch (IOException | InterruptedException e) {
            return pkg + " (version unknown)";
        }
    }
}
