package io.zproj.bench;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The suite's report, written once: at the end of a run, or by the shutdown hook when the run is
 * interrupted (Ctrl-C, or a kill when zfs-fuse stops answering), with what was measured until then.
 * Nothing is written when nothing was measured.
 */
final class PartialReport {

    /** Writes the report of the samples so far; {@code failure} is null for a complete run. */
    interface Writer {
        void write(String failure) throws IOException;
    }

    private final List<Sample> samples;
    private final Writer writer;
    private final AtomicBoolean written = new AtomicBoolean();

    PartialReport(List<Sample> samples, Writer writer) {
        this.samples = samples;
        this.writer = writer;
    }

    /**
     * Writes the report unless it was written already or there is nothing in it. An I/O error is
     * told on stderr, not thrown: this runs last, in a finally block or a shutdown hook.
     *
     * @return whether this call wrote it
     */
    boolean writeOnce(String failure) {
        if (samples.isEmpty() || !written.compareAndSet(false, true)) {
            return false;
        }
        try {
            writer.write(failure);
            return true;
        } catch (IOException | RuntimeException e) {
            System.err.println("bench: cannot write the results: " + e.getMessage());
            return false;
        }
    }
}
