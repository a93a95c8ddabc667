package io.zproj.cli;

import io.zproj.cache.TransferListener;
import io.zproj.transport.Addresses;
import io.zproj.transport.StreamHeader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a transfer: a progress bar (bytes, rate, ETA when the size is known) on a terminal,
 * a plain line every few seconds otherwise.
 */
final class Progress implements TransferListener, AutoCloseable {

    private static final long LINE_EVERY_NANOS = 5_000_000_000L;

    private final String verb;
    private final PrintWriter err;
    private final boolean terminal;
    private ProgressBar bar;
    private long start;
    private long lastLine;

    Progress(String verb, PrintWriter err, boolean terminal) {
        this.verb = verb;
        this.err = err;
        this.terminal = terminal;
    }

    @Override
    public void started(InetSocketAddress server, StreamHeader header, long estimatedBytes) {
        closeBar();
        start = System.nanoTime();
        lastLine = start;
        String what = verb + " " + header.project() + " " + header.snapshot()
                + (header.incremental() ? " (incremental)" : " (full)") + " with " + Addresses.format(server);
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName(verb).setInitialMax(estimatedBytes > 0 ? estimatedBytes : -1)
                    .setUnit("MiB", 1 << 20).showSpeed().setStyle(ProgressBarStyle.ASCII).build();
            err.println(what);
        } else {
            err.println("zproj: " + what);
        }
        err.flush();
    }

    @Override
    public void progress(long rawBytes) {
        if (bar != null) {
            bar.stepTo(rawBytes);
            return;
        }
        long now = System.nanoTime();
        if (!terminal && now - lastLine > LINE_EVERY_NANOS) {
            lastLine = now;
            double secs = (now - start) / 1e9;
            err.printf("zproj: %s %.1f MiB so far, %.1f MiB/s%n", verb, rawBytes / 1048576.0,
                    rawBytes / 1048576.0 / Math.max(secs, 1e-9));
            err.flush();
        }
    }

    @Override
    public void failedOver(InetSocketAddress server, String reason) {
        closeBar();
        err.println("zproj: " + Addresses.format(server) + " failed (" + reason + "); trying the next replica");
        err.flush();
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    @Override
    public void close() {
        closeBar();
    }
}
