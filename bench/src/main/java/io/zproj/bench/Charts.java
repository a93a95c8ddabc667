package io.zproj.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * PNG charts of benchmark results, drawn headless with Java2D. A series keeps its colour in every
 * chart (zproj green, native blue, gluster orange, other names a palette colour picked by name hash).
 * Non-finite values are skipped, a chart with nothing left says "no data", and bar charts widen so
 * that many groups keep legible, wrapped labels. Parent directories of the PNG are created.
 */
final class Charts {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** One bar: a system's median for one group, with min and max for the whisker. */
    record Bar(String group, String series, double median, double min, double max) {}

    /** One point of a line: x and the median with min/max whiskers. */
    record Point(String series, double x, double median, double min, double max) {}

    private static final int WIDTH = 1000, HEIGHT = 560, RIGHT = 28, LEGEND_TOP = 46, LEGEND_ROW = 22;
    /** Share of a group's width its bars take. */
    private static final double CLUSTER_FILL = 0.85;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 19);
    private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Color INK = new Color(0x222222), MUTED = new Color(0x555555), AXIS = new Color(0x8A8A8A),
            GRID = new Color(0xE2E2E2), MINOR_GRID = new Color(0xF1F1F1), WHISKER = new Color(0x303030);
    private static final Map<String, Color> FIXED = Map.of("zproj", new Color(0x2E9E52),
            "native", new Color(0x3A72C9), "gluster", new Color(0xE3622A));
    private static final Color[] PALETTE = {new Color(0x8E63B8), new Color(0x17A2A8), new Color(0x9A6B3C),
        new Color(0xD0559A), new Color(0x8C2D4A), new Color(0xB8A21C)};

    private Charts() {}

    /**
     * Grouped bar chart: a cluster per group and a bar per series (both in first-seen order; a later
     * duplicate of a group and series replaces the earlier), min–max whiskers, the median above each
     * bar, y axis labelled {@code unit}. Bars with a non-finite median, or a non-positive one on a log
     * scale, are skipped; a non-finite min or max collapses to the median.
     */
    static void bars(Path png, String title, String unit, List<Bar> bars, boolean logScale) throws IOException {
        Map<String, Map<String, Bar>> groups = new LinkedHashMap<>();
        List<String> series = new ArrayList<>();
        double dataLo = Double.POSITIVE_INFINITY, dataHi = Double.NEGATIVE_INFINITY;
        for (Bar b : bars) {
            double m = b.median();
            if (!Double.isFinite(m) || logScale && m <= 0) {
                continue;
            }
            Bar c = new Bar(str(b.group()), str(b.series()), m, Math.min(m, finiteOr(b.min(), m)),
                    Math.max(m, finiteOr(b.max(), m)));
            groups.computeIfAbsent(c.group(), k -> new LinkedHashMap<>()).put(c.series(), c);
            if (!series.contains(c.series())) {
                series.add(c.series());
            }
            dataLo = Math.min(dataLo, logScale && c.min() <= 0 ? m : c.min());
            dataHi = Math.max(dataHi, c.max());
        }
        if (groups.isEmpty()) {
            write(png, noData(title));
            return;
        }
        Axis y = logScale ? Axis.log(dataLo, dataHi) : Axis.linear(Math.min(0, dataLo), Math.max(0, dataHi));
        Map<String, Color> colours = colours(series);
        int perGroup = groups.values().stream().mapToInt(Map::size).max().orElse(1);

        Graphics2D probe = canvas(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB));
        FontMetrics small = probe.getFontMetrics(SMALL), text = probe.getFontMetrics(TEXT);
        int valueW = groups.values().stream().flatMap(g -> g.values().stream())
                .mapToInt(b -> small.stringWidth(number(b.median()))).max().orElse(0);
        int left = leftMargin(small, y);
        double cluster = Math.max(120, perGroup * Math.max(30, valueW + 6) / CLUSTER_FILL);
        int width = (int) Math.max(WIDTH, Math.ceil(left + RIGHT + groups.size() * cluster));
        double cw = (width - left - RIGHT) / (double) groups.size();
        List<List<String>> labels = new ArrayList<>();
        for (String g : groups.keySet()) {
            labels.add(wrap(text, g, (int) cw - 10, 3));
        }
        int lineH = text.getHeight();
        int bottom = 22 + labels.stream().mapToInt(List::size).max().orElse(1) * lineH;
        List<List<String>> legend = legendRows(small, series, width - 80);
        int top = LEGEND_TOP + legend.size() * LEGEND_ROW + 26;
        probe.dispose();

        BufferedImage img = new BufferedImage(width, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        int px0 = left, px1 = width - RIGHT, py0 = top, py1 = HEIGHT - bottom;
        drawTitle(g, title, width);
        drawLegend(g, legend, colours, width);
        drawYAxis(g, y, px0, px1, py0, py1, unit);

        double base = y.log() ? py1 : y.pos(0, py1, py0);
        int i = 0;
        for (Map<String, Bar> group : groups.values()) {
            double cx = px0 + (i + 0.5) * cw, slot = cw * CLUSTER_FILL / perGroup, barW = Math.min(slot * 0.82, 80);
            List<String> present = series.stream().filter(group::containsKey).toList();
            for (int j = 0; j < present.size(); j++) {
                Bar b = group.get(present.get(j));
                double bx = cx + (j - present.size() / 2.0) * slot + (slot - barW) / 2, mid = bx + barW / 2;
                double ty = y.pos(b.median(), py1, py0);
                g.setColor(colours.get(b.series()));
                double h = Math.abs(base - ty);
                g.fill(h < 1.5 ? new Rectangle2D.Double(bx, base - 0.75, barW, 1.5)
                        : new Rectangle2D.Double(bx, Math.min(base, ty), barW, h));
                double wLo = y.pos(b.min(), py1, py0), wHi = y.pos(b.max(), py1, py0);
                if (b.max() > b.min()) {
                    g.setColor(WHISKER);
                    g.setStroke(new BasicStroke(1.4f));
                    double cap = barW * 0.2;
                    g.draw(new Line2D.Double(mid, wLo, mid, wHi));
                    g.draw(new Line2D.Double(mid - cap, wLo, mid + cap, wLo));
                    g.draw(new Line2D.Double(mid - cap, wHi, mid + cap, wHi));
                }
                g.setFont(SMALL);
                g.setColor(INK);
                String v = number(b.median());
                float vy = b.median() >= 0 ? (float) Math.min(wHi, ty) - 5
                        : (float) Math.max(wLo, ty) + small.getAscent() + 3;
                g.drawString(v, (float) (mid - small.stringWidth(v) / 2.0), vy);
            }
            g.setFont(TEXT);
            g.setColor(INK);
            List<String> lines = labels.get(i);
            for (int k = 0; k < lines.size(); k++) {
                String s = lines.get(k);
                g.drawString(s, (float) (cx - text.stringWidth(s) / 2.0), py1 + 8 + text.getAscent() + k * lineH);
            }
            i++;
        }
        g.setColor(AXIS);
        g.setStroke(new BasicStroke(1f));
        g.draw(new Line2D.Double(px0, base, px1, base));
        g.dispose();
        write(png, img);
    }

    /**
     * Line chart: a line per series (first-seen order, points sorted by x) with markers and min–max
     * whiskers; series sharing an x are nudged a few pixels apart so whiskers stay distinct. The y axis
     * includes zero. Points with a non-finite x or median are skipped.
     */
    static void lines(Path png, String title, String xLabel, String yLabel, List<Point> points) throws IOException {
        Map<String, List<Point>> series = new LinkedHashMap<>();
        double xLo = Double.POSITIVE_INFINITY, xHi = Double.NEGATIVE_INFINITY, yLo = 0, yHi = 0;
        for (Point p : points) {
            double m = p.median();
            if (!Double.isFinite(p.x()) || !Double.isFinite(m)) {
                continue;
            }
            Point c = new Point(str(p.series()), p.x(), m, Math.min(m, finiteOr(p.min(), m)),
                    Math.max(m, finiteOr(p.max(), m)));
            series.computeIfAbsent(c.series(), k -> new ArrayList<>()).add(c);
            xLo = Math.min(xLo, c.x());
            xHi = Math.max(xHi, c.x());
            yLo = Math.min(yLo, c.min());
            yHi = Math.max(yHi, c.max());
        }
        if (series.isEmpty()) {
            write(png, noData(title));
            return;
        }
        series.values().forEach(l -> l.sort(Comparator.comparingDouble(Point::x)));
        Axis x = Axis.linear(xLo, xHi), y = Axis.linear(yLo, yHi);
        List<String> names = new ArrayList<>(series.keySet());
        Map<String, Color> colours = colours(names);

        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        FontMetrics small = g.getFontMetrics(SMALL), text = g.getFontMetrics(TEXT);
        List<List<String>> legend = legendRows(small, names, WIDTH - 80);
        int px0 = leftMargin(small, y), px1 = WIDTH - RIGHT;
        int py0 = LEGEND_TOP + legend.size() * LEGEND_ROW + 16, py1 = HEIGHT - 62;
        drawTitle(g, title, WIDTH);
        drawLegend(g, legend, colours, WIDTH);
        drawYAxis(g, y, px0, px1, py0, py1, yLabel);

        g.setFont(SMALL);
        for (double t : x.ticks()) {
            double tx = x.pos(t, px0, px1);
            g.setColor(GRID);
            g.draw(new Line2D.Double(tx, py0, tx, py1));
            g.setColor(MUTED);
            String s = x.label(t);
            g.drawString(s, (float) (tx - small.stringWidth(s) / 2.0), py1 + 6 + small.getAscent());
        }
        g.setFont(TEXT);
        g.setColor(INK);
        String xl = fit(text, str(xLabel), px1 - px0);
        g.drawString(xl, (float) ((px0 + px1 - text.stringWidth(xl)) / 2.0), HEIGHT - 16);
        g.setColor(AXIS);
        g.draw(new Line2D.Double(px0, y.pos(0, py1, py0), px1, y.pos(0, py1, py0)));

        for (int s = 0; s < names.size(); s++) {
            List<Point> line = series.get(names.get(s));
            Color c = colours.get(names.get(s));
            double dx = (s - (names.size() - 1) / 2.0) * 4;
            g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 150));
            g.setStroke(new BasicStroke(1.4f));
            for (Point p : line) {
                if (p.max() > p.min()) {
                    double px = x.pos(p.x(), px0, px1) + dx;
                    double lo = y.pos(p.min(), py1, py0), hi = y.pos(p.max(), py1, py0);
                    g.draw(new Line2D.Double(px, lo, px, hi));
                    g.draw(new Line2D.Double(px - 4, lo, px + 4, lo));
                    g.draw(new Line2D.Double(px - 4, hi, px + 4, hi));
                }
            }
            Path2D path = new Path2D.Double();
            for (Point p : line) {
                double px = x.pos(p.x(), px0, px1) + dx, py = y.pos(p.median(), py1, py0);
                if (path.getCurrentPoint() == null) {
                    path.moveTo(px, py);
                } else {
                    path.lineTo(px, py);
                }
            }
            g.setColor(c);
            g.setStroke(new BasicStroke(2.4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(path);
            g.setStroke(new BasicStroke(1.5f));
            for (Point p : line) {
                Ellipse2D dot = new Ellipse2D.Double(x.pos(p.x(), px0, px1) + dx - 4.5,
                        y.pos(p.median(), py1, py0) - 4.5, 9, 9);
                g.setColor(c);
                g.fill(dot);
                g.setColor(Color.WHITE);
                g.draw(dot);
            }
        }
        g.dispose();
        write(png, img);
    }

    /** A numeric axis with ticks every {@code step}; on a log axis lo, hi and step are in decades. */
    private record Axis(double lo, double hi, double step, boolean log) {

        /** About five ticks at 1, 2 or 5 × 10^k covering min..max (widened if they are equal). */
        static Axis linear(double min, double max) {
            if (!(max > min)) {
                double pad = min == 0 ? 1 : Math.abs(min) / 2;
                max = min + pad;
                min = min == 0 ? 0 : min - pad;
            }
            double raw = (max - min) / 5, mag = Math.pow(10, Math.floor(Math.log10(raw))), r = raw / mag;
            double step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
            return new Axis(Math.floor(min / step + 1e-9) * step, Math.ceil(max / step - 1e-9) * step, step, false);
        }

        /** Whole decades covering min..max (both positive), at most about eight labelled. */
        static Axis log(double min, double max) {
            double lo = Math.floor(Math.log10(min)), hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
            double step = Math.ceil((hi - lo) / 8);
            return new Axis(lo, lo + Math.ceil((hi - lo) / step) * step, step, true);
        }

        List<Double> ticks() {
            List<Double> ticks = new ArrayList<>();
            long first = Math.round(lo / step), n = Math.round((hi - lo) / step);
            for (long i = 0; i <= n; i++) {
                ticks.add(log ? Math.pow(10, lo + i * step) : (first + i) * step);
            }
            return ticks;
        }

        /** Pixel of v between the pixels of lo ({@code from}) and hi ({@code to}); log clamps v ≤ 0 to lo. */
        double pos(double v, double from, double to) {
            double f = log ? (Math.log10(Math.max(v, Math.pow(10, lo))) - lo) / (hi - lo) : (v - lo) / (hi - lo);
            return from + f * (to - from);
        }

        /** Tick label: decades as numbers; linear "0" or the decimals the step needs, with a k/M/G/T suffix. */
        String label(double v) {
            if (log) {
                int k = (int) Math.round(Math.log10(v));
                return k < -3 || k > 14 ? "1e" + k
                        : k < 4 ? BigDecimal.ONE.scaleByPowerOfTen(k).toPlainString() : number(v);
            }
            double big = Math.max(Math.abs(lo), Math.abs(hi));
            int k = big >= 1e4 ? (int) Math.min(4, Math.floor(Math.log10(big) / 3)) : 0;
            double scale = Math.pow(1000, k);
            int decimals = (int) Math.max(0, -Math.floor(Math.log10(step / scale) + 1e-9));
            return Math.abs(v) < step * 1e-6 ? "0"
                    : String.format(Locale.ROOT, "%." + decimals + "f", v / scale)
                            + (k == 0 ? "" : "kMGT".charAt(k - 1));
        }
    }

    /** v with three significant digits: plain from 0.001 to 9999, k/M/G/T suffix up to 10^15, else scientific. */
    private static String number(double v) {
        double a = Math.abs(v);
        if (a == 0) {
            return "0";
        }
        if (a >= 1e-3 && a < 1e4) {
            return sig(v);
        }
        if (a >= 1e4 && a < 1e15) {
            int k = (int) Math.floor(Math.log10(a) / 3);
            return sig(v / Math.pow(1000, k)) + "kMGT".charAt(k - 1);
        }
        return String.format(Locale.ROOT, "%.2e", v);
    }

    private static String sig(double v) {
        return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }

    /** Fixed colours for known systems (any case), others by name hash, the next free palette colour on a clash. */
    private static Map<String, Color> colours(List<String> series) {
        Map<String, Color> colours = new LinkedHashMap<>();
        Set<Color> used = new HashSet<>();
        for (String s : series) {
            Color c = FIXED.get(s.toLowerCase(Locale.ROOT));
            if (c == null) {
                int h = Math.floorMod(s.hashCode(), PALETTE.length);
                c = PALETTE[h];
                for (int i = 1; i < PALETTE.length && used.contains(c); i++) {
                    c = PALETTE[(h + i) % PALETTE.length];
                }
            }
            used.add(c);
            colours.put(s, c);
        }
        return colours;
    }

    private static Graphics2D canvas(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        return g;
    }

    private static BufferedImage noData(String title) {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        drawTitle(g, title, WIDTH);
        g.setFont(TITLE.deriveFont(Font.PLAIN));
        g.setColor(MUTED);
        g.drawString("no data", (WIDTH - g.getFontMetrics().stringWidth("no data")) / 2f, HEIGHT / 2f);
        g.dispose();
        return img;
    }

    private static void drawTitle(Graphics2D g, String title, int width) {
        g.setFont(TITLE);
        g.setColor(INK);
        FontMetrics fm = g.getFontMetrics();
        String t = fit(fm, str(title), width - 40);
        g.drawString(t, (width - fm.stringWidth(t)) / 2f, 30);
    }

    /** Space left of the plot for the rotated axis label and the widest tick label. */
    private static int leftMargin(FontMetrics small, Axis y) {
        return 44 + y.ticks().stream().mapToInt(t -> small.stringWidth(y.label(t))).max().orElse(0);
    }

    /** Horizontal grid and tick labels (log: minor lines at 2–9 if each decade is labelled), rotated axis label. */
    private static void drawYAxis(Graphics2D g, Axis y, int px0, int px1, int py0, int py1, String label) {
        g.setStroke(new BasicStroke(1f));
        if (y.log() && y.step() == 1) {
            g.setColor(MINOR_GRID);
            for (double d = y.lo(); d < y.hi(); d++) {
                for (int m = 2; m <= 9; m++) {
                    double py = y.pos(m * Math.pow(10, d), py1, py0);
                    g.draw(new Line2D.Double(px0, py, px1, py));
                }
            }
        }
        g.setFont(SMALL);
        FontMetrics fm = g.getFontMetrics();
        for (double t : y.ticks()) {
            double py = y.pos(t, py1, py0);
            g.setColor(GRID);
            g.draw(new Line2D.Double(px0, py, px1, py));
            g.setColor(MUTED);
            String s = y.label(t);
            g.drawString(s, px0 - 8 - fm.stringWidth(s), (float) py + fm.getAscent() / 2f - 1);
        }
        g.setFont(TEXT);
        g.setColor(INK);
        FontMetrics tm = g.getFontMetrics();
        String s = fit(tm, str(label), py1 - py0);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(s, -(py0 + py1 + tm.stringWidth(s)) / 2f, 8 + tm.getAscent());
        g.setTransform(saved);
    }

    /** Legend entries (swatch, gap, name, gap) packed into rows no wider than width. */
    private static List<List<String>> legendRows(FontMetrics fm, List<String> series, int width) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        int used = 0;
        for (String s : series) {
            int w = legendWidth(fm, s);
            if (!row.isEmpty() && used + w > width) {
                rows.add(row);
                row = new ArrayList<>();
                used = 0;
            }
            row.add(s);
            used += w;
        }
        rows.add(row);
        return rows;
    }

    private static int legendWidth(FontMetrics fm, String s) {
        return 13 + 6 + fm.stringWidth(fit(fm, s, 280)) + 22;
    }

    private static void drawLegend(Graphics2D g, List<List<String>> rows, Map<String, Color> colours, int width) {
        g.setFont(SMALL);
        FontMetrics fm = g.getFontMetrics();
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            float x = (width - row.stream().mapToInt(s -> legendWidth(fm, s)).sum() + 22) / 2f;
            int cy = LEGEND_TOP + r * LEGEND_ROW + LEGEND_ROW / 2;
            for (String s : row) {
                g.setColor(colours.get(s));
                g.fill(new Rectangle2D.Float(x, cy - 6.5f, 13, 13));
                g.setColor(INK);
                g.drawString(fit(fm, s, 280), x + 19, cy + fm.getAscent() / 2f - 1);
                x += legendWidth(fm, s);
            }
        }
    }

    /** At most maxLines lines no wider than width, broken after one of {@code " -_/."} if possible, else anywhere. */
    private static List<String> wrap(FontMetrics fm, String s, int width, int maxLines) {
        List<String> lines = new ArrayList<>();
        String rest = s.strip();
        while (lines.size() < maxLines - 1 && fm.stringWidth(rest) > width) {
            int end = 1;
            while (fm.stringWidth(rest.substring(0, end + 1)) <= width) {
                end++;
            }
            int cut = end;
            for (int i = end; i > end / 3; i--) {
                if (" -_/.".indexOf(rest.charAt(i - 1)) >= 0) {
                    cut = i;
                    break;
                }
            }
            lines.add(rest.substring(0, cut).strip());
            rest = rest.substring(cut).strip();
        }
        if (!rest.isEmpty() || lines.isEmpty()) {
            lines.add(fit(fm, rest, width));
        }
        return lines;
    }

    /** s cut with an ellipsis to fit width; only its first width chars are tried, which keeps huge names cheap. */
    private static String fit(FontMetrics fm, String s, int width) {
        if (fm.stringWidth(s) <= width) {
            return s;
        }
        String t = s.substring(0, Math.min(s.length(), width));
        while (!t.isEmpty() && fm.stringWidth(t + "\u2026") > width) {
            t = t.substring(0, t.length() - 1);
        }
        return t + "\u2026";
    }

    private static String str(String s) {
        return s == null ? "" : s;
    }

    private static double finiteOr(double v, double fallback) {
        return Double.isFinite(v) ? v : fallback;
    }

    private static void write(Path png, BufferedImage img) throws IOException {
        Path dir = png.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        try (OutputStream out = Files.newOutputStream(png)) {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer");
            }
        }
    }
}
