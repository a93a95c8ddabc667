package io.zproj.transport;

import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.jpountz.xxhash.StreamingXXHash64;

/**
 * Receives one stream: the channel's event loop {@link #offer offers} frames, a worker thread
 * {@link #drain drains} them into a {@link StreamSink}, verifying each chunk and the whole
 * stream. When more than the queue bound waits ({@code receiveQueueBytes}, and what the stream
 * could take of the transport's {@link ReceiveSpare} beyond it), the channel stops reading the
 * socket (autoRead off) until the worker has caught up to half of its own bound: a slow
 * {@code zfs receive} slows the sender, it never fills memory. A sender that, in the time this
 * side waits for it, brings fewer than {@code stallMinBytes} per {@code stallTimeout} is given up on
 * ({@link StalledException}): a trickle cannot hold a stream slot and a write lock forever.
 * Time spent in the sink does not count against the sender.
 */
final class ChunkReader {

    /** Offered when the connection closes. */
    static final Object CLOSED = new Object();

    private final Channel ch;
    private final long high;
    private final long low;
    private final long stallNanos;
    private final long stallMinBytes;
    private long waited;
    private long windowBytes;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private volatile boolean paused;
    private volatile boolean done;

    /** Shared with the transport's other streams: what this one may queue beyond {@link #high}. */
    private final ReceiveSpare spare;
    /** Taken from {@link #spare}, for the part of the queue beyond {@link #high} (guarded by this). */
    private long borrowed;

    ChunkReader(Channel ch, TransportConfig config, ReceiveSpare spare) {
        this.ch = ch;
        this.spare = spare;
        this.high = config.receiveQueueBytes();
        this.low = high / 2;
        this.stallNanos = config.stallTimeout().toNanos();
        this.stallMinBytes = config.stallMinBytes();
    }

    /** What a queued frame costs: its payload and a fixed overhead, so that tiny frames count too. */
    private static long cost(Object msg) {
        return 64 + (msg instanceof Message.Chunk c ? c.data().readableBytes() : 0);
    }

    /** From the event loop: a chunk, a stream end, an error frame or {@link #CLOSED}. */
    void offer(Object msg) {
        if (done) {
            release(msg);
            return;
        }
        synchronized (this) {
            long q = queued.addAndGet(cost(msg));
            if (q > high + borrowed) {
                borrowed += spare.take(q - high - borrowed);
                if (q > high + borrowed && !paused) {
                    paused = true;
                    ch.config().setAutoRead(false);
                }
            }
        }
        queue.add(msg);
        if (done) {
            discardQueued(); // raced with the end of drain()
        }
    }

    private static void release(Object msg) {
        if (msg instanceof Message.Chunk c) {
            ReferenceCountUtil.release(c.data());
        }
    }

    /**
     * Feeds the stream into {@code sink} until its end frame, then completes the sink.
     *
     * @return what the sink produced
     * @throws ChecksumException  if a chunk or the whole stream does not verify (the sink is aborted)
     * @throws RemoteException    if the sender sent an error instead (the sink is aborted)
     * @throws TransportException if the connection closed mid-stream (the sink is aborted)
     * @throws IOException        whatever the sink threw (it is aborted unless completing failed)
     */
    <R> Result<R> drain(StreamSink<R> sink) throws IOException {
        byte[] raw = new byte[Chunks.MAX_CHUNK_BYTES];
        StreamingXXHash64 hash = Chunks.newStreamHash();
        long total = 0;
        long wire = 0;
        boolean completing = false;
        try {
            while (true) {
                Object m = take();
                long cost = cost(m);
                if (m instanceof Message.Chunk c) {
                    int n;
                    int size = c.data().readableBytes();
                    try {
                        n = Chunks.decompress(c, raw);
                    } finally {
                        c.data().release();
                        consumed(cost);
                    }
                    wire += Protocol.HEADER_LENGTH + 8 + size;
                    hash.update(raw, 0, n);
                    total += n;
                    windowBytes += n;
                    sink.write(raw, 0, n);
                } else if (m instanceof Message.StreamEnd end) {
                    consumed(cost);
                    if (end.totalBytes() != total || end.checksum() != hash.getValue()) {
                        throw new ChecksumException(String.format("stream of %d bytes with xxhash64 %016x does not "
                                + "match its end frame (%d bytes, %016x)", total, hash.getValue(), end.totalBytes(),
                                end.checksum()));
                    }
                    completing = true;
                    TransportMeters.streamed(false, wire + Protocol.HEADER_LENGTH + 16);
                    return new Result<>(sink.complete(total), new StreamStats(total,
                            wire + Protocol.HEADER_LENGTH + 16));
                } else if (m instanceof Message.Error e) {
                    throw new RemoteException(e.code(), e.message());
                } else if (m == CLOSED) {
                    throw new TransportException("connection to " + ch.remoteAddress() + " closed mid-stream after "
                            + total + " bytes");
                } else {
                    throw new ProtocolException("unexpected " + m.getClass().getSimpleName() + " inside a stream");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!completing) {
                sink.abort(e.getMessage());
            }
            throw e;
        } finally {
            done = true;
            discardQueued();
        }
    }

    /** The sink's result and what the stream moved. */
    record Result<R>(R value, StreamStats stats) {}

    private Object take() throws TransportException {
        try {
            while (true) {
                long start = System.nanoTime();
                Object m = queue.poll(Math.min(1000, Math.max(1, stallNanos / 4_000_000)), TimeUnit.MILLISECONDS);
                waited += System.nanoTime() - start;
                if (waited >= stallNanos) {
                    if (windowBytes < stallMinBytes) {
                        throw new StalledException("stream from " + ch.remoteAddress() + " stalled: " + windowBytes
                                + " bytes in " + (waited / 1_000_000) + " ms of waiting, fewer than the "
                                + stallMinBytes + " required per " + (stallNanos / 1_000_000) + " ms");
                    }
                    waited = 0;
                    windowBytes = 0;
                }
                if (m != null) {
                    return m;
                }
                if (!ch.isActive() && queue.isEmpty()) {
                    return CLOSED;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while receiving", e);
        }
    }

    private synchronized void consumed(long cost) {
        long q = queued.addAndGet(-cost);
        long stillNeeded = Math.max(0, q - high);
        if (borrowed > stillNeeded) {
            spare.give(borrowed - stillNeeded);
            borrowed = stillNeeded;
        }
        if (q < low && paused) {
            paused = false;
            ch.config().setAutoRead(true);
        }
    }

    /** What this stream holds of the shared spare now (for tests). */
    synchronized long borrowed() {
        return borrowed;
    }

    private void discardQueued() {
        Object m;
        while ((m = queue.poll()) != null) {
            consumed(cost(m));
            release(m);
        }
        synchronized (this) {
            if (paused) {
                paused = false;
                ch.config().setAutoRead(true);
            }
        }
    }
}
