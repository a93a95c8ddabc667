package io.zproj.zfs;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.util.OptionalLong;

/** {@link ReceiveStream} over a running {@code zfs receive}. */
final class ProcessReceiveStream implements ReceiveStream {

    private static final System.Logger LOG = System.getLogger(ProcessReceiveStream.class.getName());

    private enum State { RUNNING, FINISHED, FAILED }

    private final CommandZfs zfs;
    private final StreamProcess process;
    private final DatasetName target;
    private final ReceiveOptions options;
    private final boolean existedBefore;
    private final OptionalLong priorQuota;
    private final OutputStream stream;
    private State state = State.RUNNING;
    private DatasetState received;

    ProcessReceiveStream(CommandZfs zfs, StreamProcess process, DatasetName target, ReceiveOptions options,
            boolean existedBefore, OptionalLong priorQuota) {
        this.zfs = zfs;
        this.process = process;
        this.target = target;
        this.options = options;
        this.existedBefore = existedBefore;
        this.priorQuota = priorQuota;
        this.stream = new FilterOutputStream(process.process().getOutputStream()) {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    out.write(b, off, len);
                } catch (IOException e) {
                    throw stoppedTakingData(e);
                }
                process.progressed(len);
            }
        };
    }

    @Override
    public DatasetName target() {
        return target;
    }

    @Override
    public OutputStream stream() {
        return stream;
    }

    @Override
    public long bytes() {
        return process.bytes();
    }

    /**
     * A write failed: {@code zfs receive} has exited (or broken its pipe). Its exit status and
     * stderr say why; the target is cleaned up as after any failed receive.
     */
    private IOException stoppedTakingData(IOException writeError) {
        if (state != State.RUNNING) {
            return writeError;
        }
        state = State.FAILED;
        try {
            int exit = process.awaitExit();
            String outcome = zfs.cleanUpFailedReceive(target, existedBefore, process.stderr());
            if (exit == 0) {
                return new ZfsException("zfs receive into " + target + " exited before its stream ended ("
                        + writeError.getMessage() + "); " + outcome, process.command(), 0, process.stderr());
            }
            return ZfsErrors.classify(process.command(), exit, process.stderr(), outcome);
        } catch (ZfsException e) {
            return e;
        }
    }

    @Override
    public Snapshot finish() throws ZfsException {
        requireRunning();
        try {
            stream.close();
        } catch (IOException e) {
            // zfs receive already gave up; its exit status says why
        }
        int exit;
        try {
            exit = process.awaitExit();
        } catch (ZfsException e) {
            state = State.FAILED;
            String outcome = zfs.cleanUpFailedReceive(target, existedBefore, process.stderr());
            throw new CommandTimeoutException(e.getMessage() + "; " + outcome, process.command(), -1, e.stderr());
        }
        if (exit != 0) {
            state = State.FAILED;
            String outcome = zfs.cleanUpFailedReceive(target, existedBefore, process.stderr());
            throw ZfsErrors.classify(process.command(), exit, process.stderr(), outcome);
        }
        state = State.FINISHED;
        received = zfs.afterReceive(target, options, existedBefore, priorQuota);
        return received.newest().orElseThrow(() -> new ZfsException(
                "zfs receive into " + target + " succeeded but it has no snapshot", process.command(), 0, ""));
    }

    @Override
    public DatasetState received() {
        if (received == null) {
            throw new IllegalStateException("receive into " + target + " has not finished");
        }
        return received;
    }

    @Override
    public String abort() throws ZfsException {
        if (state == State.FAILED) {
            return "the receive into " + target + " had already failed and was cleaned up";
        }
        requireRunning();
        state = State.FAILED;
        process.kill();
        return zfs.cleanUpFailedReceive(target, existedBefore, process.stderr());
    }

    @Override
    public void close() {
        if (state == State.RUNNING) {
            try {
                String outcome = abort();
                LOG.log(Level.INFO, "receive into " + target + " closed before it finished: " + outcome);
            } catch (ZfsException e) {
                LOG.log(Level.ERROR, "receive into " + target + " could not be cleaned up: " + e.getMessage());
            }
        }
    }

    private void requireRunning() {
        if (state != State.RUNNING) {
            throw new IllegalStateException("receive into " + target + " already " + state.name().toLowerCase());
        }
    }
}
