package io.zproj.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.zproj.bench.Charts.Bar;
import io.zproj.bench.Charts.Point;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Renders charts to PNG files and checks size, format and the series colours found in the pixels. */
class ChartsTest {

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final IntPredicate GREEN = rgb -> g(rgb) > r(rgb) + 40 && g(rgb) > b(rgb) + 30;
    private static final IntPredicate BLUE = rgb -> b(rgb) > r(rgb) + 60 && b(rgb) > g(rgb) + 30;
    private static final IntPredicate ORANGE = rgb -> r(rgb) > g(rgb) + 60 && r(rgb) > b(rgb) + 80;
    private static final IntPredicate DARK = rgb -> r(rgb) + g(rgb) + b(rgb) < 300;

    @TempDir
    Path dir;

    @Test
    void bars_threeSystems_writesPng() throws IOException {
        List<Bar> bars = new ArrayList<>();
        for (String group : List.of("cold clone", "warm rebuild", "git status")) {
            bars.add(new Bar(group, "zproj", 12.4, 11, 13.9));
            bars.add(new Bar(group, "native", 10.1, 9.5, 10.8));
            bars.add(new Bar(group, "gluster", 31.7, 28, 35));
        }
        BufferedImage img = render(dir.resolve("bars.png"), p -> Charts.bars(p, "time", "seconds", bars, false));
        assertThat(img.getWidth()).isBetween(1000, 1100);
        assertThat(img.getHeight()).isBetween(540, 580);
        assertThat(count(img, GREEN)).isGreaterThan(1000);
        assertThat(count(img, BLUE)).isGreaterThan(1000);
        assertThat(count(img, ORANGE)).isGreaterThan(1000);
    }

    @Test
    void bars_logScale_skipsNonPositiveAndWritesPng() throws IOException {
        List<Bar> bars = List.of(new Bar("tiny", "zproj", 0.004, 0, 0.005),
                new Bar("huge", "zproj", 25_000, 20_000, 30_000),
                new Bar("huge", "native", 12_000, 11_000, 13_000), new Bar("tiny", "gluster", 0, 0, 0),
                new Bar("huge", "gluster", -3, -4, -2));
        BufferedImage img = render(dir.resolve("log.png"), p -> Charts.bars(p, "log", "ops", bars, true));
        assertThat(count(img, GREEN)).isGreaterThan(1000);
        assertThat(count(img, BLUE)).isGreaterThan(1000);
        assertThat(count(img, ORANGE)).isZero();
    }

    @Test
    void bars_onlyNonPositiveOnLogScale_writesNoDataImage() throws IOException {
        BufferedImage img = render(dir.resolve("log0.png"),
                p -> Charts.bars(p, "log", "ops", List.of(new Bar("g", "zproj", 0, 0, 0)), true));
        assertNoData(img);
    }

    @Test
    void bars_empty_writesNoDataImage() throws IOException {
        assertNoData(render(dir.resolve("empty.png"), p -> Charts.bars(p, "nothing", "s", List.of(), false)));
    }

    @Test
    void bars_singleBar_writesPng() throws IOException {
        BufferedImage img = render(dir.resolve("one.png"),
                p -> Charts.bars(p, "one", "s", List.of(new Bar("only", "zproj", 3, 2, 4)), false));
        assertThat(img.getWidth()).isEqualTo(1000);
        assertThat(count(img, GREEN)).isGreaterThan(1000);
    }

    @Test
    void bars_allZeros_writesPng() throws IOException {
        List<Bar> bars = List.of(new Bar("a", "zproj", 0, 0, 0), new Bar("b", "native", 0, 0, 0));
        BufferedImage img = render(dir.resolve("zeros.png"), p -> Charts.bars(p, "zeros", "s", bars, false));
        assertThat(count(img, GREEN)).isPositive();
    }

    @Test
    void bars_minEqualsMaxAndNegative_writesPng() throws IOException {
        List<Bar> bars = List.of(new Bar("a", "zproj", 5, 5, 5), new Bar("a", "native", -2, -2, -2));
        BufferedImage img = render(dir.resolve("flat.png"), p -> Charts.bars(p, "flat", "s", bars, false));
        assertThat(count(img, GREEN)).isGreaterThan(1000);
        assertThat(count(img, BLUE)).isGreaterThan(1000);
    }

    @Test
    void bars_nanValues_areSkipped() throws IOException {
        List<Bar> bars = List.of(new Bar("a", "zproj", 5, Double.NaN, Double.POSITIVE_INFINITY),
                new Bar("a", "gluster", Double.NaN, 1, 2), new Bar("b", "native", Double.NEGATIVE_INFINITY, 1, 2));
        BufferedImage img = render(dir.resolve("nan.png"), p -> Charts.bars(p, "nan", "s", bars, false));
        assertThat(count(img, GREEN)).isGreaterThan(1000);
        assertThat(count(img, ORANGE)).isZero();
        assertThat(count(img, BLUE)).isZero();
        assertNoData(render(dir.resolve("allnan.png"),
                p -> Charts.bars(p, "nan", "s", List.of(new Bar("a", "zproj", Double.NaN, 0, 0)), false)));
    }

    @Test
    void bars_longNamesAndManyGroups_widenImage() throws IOException {
        String longName = "x".repeat(300);
        List<Bar> bars = new ArrayList<>();
        for (int g = 0; g < 20; g++) {
            bars.add(new Bar("workload number " + g + " ok", "zproj", g + 1, g, g + 2));
            bars.add(new Bar("workload number " + g + " ok", longName, g + 2, g + 1, g + 3));
        }
        bars.add(new Bar(longName, "native", 1, 1, 1));
        BufferedImage img = render(dir.resolve("long.png"), p -> Charts.bars(p, longName, longName, bars, false));
        assertThat(img.getWidth()).isGreaterThan(2000);
        assertThat(img.getHeight()).isBetween(540, 580);
        assertThat(count(img, GREEN)).isGreaterThan(1000);
    }

    @Test
    void bars_otherSeries_keepTheirColourAcrossCharts() throws IOException {
        BufferedImage alone = render(dir.resolve("alone.png"),
                p -> Charts.bars(p, "a", "s", List.of(new Bar("g", "alpha", 1, 1, 1)), false));
        BufferedImage mixed = render(dir.resolve("mixed.png"), p -> Charts.bars(p, "b", "s",
                List.of(new Bar("g", "beta", 2, 2, 2), new Bar("g", "zproj", 3, 3, 3), new Bar("g", "alpha", 1, 1, 1)),
                false));
        Set<Integer> alphaColours = saturatedColours(alone);
        assertThat(alphaColours).hasSize(1);
        assertThat(saturatedColours(mixed)).hasSize(3).containsAll(alphaColours);
        assertThat(count(alone, GREEN.or(BLUE).or(ORANGE))).isZero();
    }

    @Test
    void bars_missingParentDirs_areCreated() throws IOException {
        Path png = dir.resolve("a/b/c.png");
        render(png, p -> Charts.bars(p, "t", "s", List.of(new Bar("g", "zproj", 1, 1, 1)), false));
        assertThat(png).isRegularFile();
    }

    @Test
    void lines_threeSystems_writesPng() throws IOException {
        List<Point> points = new ArrayList<>();
        for (int x : new int[] {1, 2, 4, 8, 16}) {
            points.add(new Point("zproj", x, 100 * Math.log1p(x), 90 * Math.log1p(x), 110 * Math.log1p(x)));
            points.add(new Point("native", x, 140 * Math.log1p(x), 130 * Math.log1p(x), 150 * Math.log1p(x)));
            points.add(new Point("gluster", x, 40 * Math.log1p(x), 30 * Math.log1p(x), 50 * Math.log1p(x)));
        }
        BufferedImage img = render(dir.resolve("lines.png"),
                p -> Charts.lines(p, "throughput", "threads", "MiB/s", points));
        assertThat(img.getWidth()).isEqualTo(1000);
        assertThat(img.getHeight()).isEqualTo(560);
        assertThat(count(img, GREEN)).isGreaterThan(500);
        assertThat(count(img, BLUE)).isGreaterThan(500);
        assertThat(count(img, ORANGE)).isGreaterThan(500);
    }

    @Test
    void lines_empty_writesNoDataImage() throws IOException {
        assertNoData(render(dir.resolve("lempty.png"), p -> Charts.lines(p, "nothing", "x", "y", List.of())));
    }

    @Test
    void lines_singlePointAllZero_writesPng() throws IOException {
        BufferedImage img = render(dir.resolve("lone.png"),
                p -> Charts.lines(p, "one", "x", "y", List.of(new Point("zproj", 0, 0, 0, 0))));
        assertThat(count(img, GREEN)).isGreaterThan(20);
    }

    @Test
    void lines_sameXAndFlatWhiskers_writesPng() throws IOException {
        List<Point> points = List.of(new Point("zproj", 3, 7, 7, 7), new Point("zproj", 3, 8, 8, 8),
                new Point("native", 3, 7, 6, 9));
        BufferedImage img = render(dir.resolve("samex.png"), p -> Charts.lines(p, "x", "x", "y", points));
        assertThat(count(img, GREEN)).isGreaterThan(20);
        assertThat(count(img, BLUE)).isGreaterThan(20);
    }

    @Test
    void lines_nanValues_areSkipped() throws IOException {
        List<Point> points = List.of(new Point("zproj", 1, 2, Double.NaN, Double.NaN), new Point("zproj", 2, 3, 2, 4),
                new Point("native", Double.NaN, 1, 1, 1), new Point("gluster", 1, Double.NaN, 1, 1));
        BufferedImage img = render(dir.resolve("lnan.png"), p -> Charts.lines(p, "nan", "x", "y", points));
        assertThat(count(img, GREEN)).isGreaterThan(100);
        assertThat(count(img, BLUE)).isZero();
        assertThat(count(img, ORANGE)).isZero();
        assertNoData(render(dir.resolve("lallnan.png"),
                p -> Charts.lines(p, "nan", "x", "y", List.of(new Point("zproj", Double.NaN, 1, 1, 1)))));
    }

    private interface Draw {
        void to(Path png) throws IOException;
    }

    /** Draws to png, checks it is a PNG file and reads it back. */
    private static BufferedImage render(Path png, Draw draw) throws IOException {
        draw.to(png);
        assertThat(Arrays.copyOf(Files.readAllBytes(png), PNG_MAGIC.length)).isEqualTo(PNG_MAGIC);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).isNotNull();
        assertThat(count(img, DARK)).as("text drawn").isGreaterThan(100);
        return img;
    }

    private static void assertNoData(BufferedImage img) {
        assertThat(img.getWidth()).isEqualTo(1000);
        assertThat(img.getHeight()).isEqualTo(560);
        assertThat(count(img, GREEN.or(BLUE).or(ORANGE))).isZero();
    }

    private static long count(BufferedImage img, IntPredicate colour) {
        return Arrays.stream(img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth()))
                .filter(colour).count();
    }

    /** Colours (RGB) filling over 500 pixels that are clearly not grey: the bars' fills. */
    private static Set<Integer> saturatedColours(BufferedImage img) {
        Map<Integer, Long> counts = new HashMap<>();
        for (int rgb : img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth())) {
            int hi = Math.max(r(rgb), Math.max(g(rgb), b(rgb))), lo = Math.min(r(rgb), Math.min(g(rgb), b(rgb)));
            if (hi - lo > 60) {
                counts.merge(rgb & 0xffffff, 1L, Long::sum);
            }
        }
        return counts.entrySet().stream().filter(e -> e.getValue() > 500).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    private static int r(int rgb) {
        return rgb >> 16 & 0xff;
    }

    private static int g(int rgb) {
        return rgb >> 8 & 0xff;
    }

    private static int b(int rgb) {
        return rgb & 0xff;
    }
}
