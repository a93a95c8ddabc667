package io.zproj.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * The transport's settings with their defaults and bounds, in one place.
 *
 * @param chunkBytes          raw bytes per stream chunk (default 256 KiB; 4 KiB to 1 MiB)
 * @param writeLowWaterMark   a sender resumes reading {@code zfs send} when its channel's
 *                            outbound buffer drops below this (default 1 MiB)
 * @param writeHighWaterMark  and pauses above this (default 4 MiB)
 * @param receiveQueueBytes   compressed bytes a receiver queues before it stops reading the
 *                            socket (default 4 MiB); it reads again below half of this
 * @param maxControlFrame     the largest control frame accepted (default 16 MiB: a list of
 *                            100,000 projects)
 * @param idleTimeout         a connection that moves nothing for this long is closed (default 2 min)
 * @param connectTimeout      default 5 s
 * @param requestTimeout      how long a client waits for a control answer (default 60 s)
 * @param maxStreams          concurrent sends and receives a server runs; more are refused BUSY (default 32)
 * @param handshakeTimeout    a TLS handshake not done by then is dropped (default 10 s)
 * @param maxConnections      connections a server keeps open, handshaking or not; more are closed at once (default 512)
 * @param maxConnectionsPerPeer connections one identity may hold on a server (default 32)
 * @param stallTimeout        a stream that brings fewer than {@code stallMinBytes} raw bytes in any period this
 *                            long is aborted as stalled (default 60 s): a trickle cannot hold a write lock forever
 * @param stallMinBytes       see {@code stallTimeout} (default 1 MiB)
 * @param compression         whether stream chunks are compressed ({@link Compression#AUTO}: LZ4, except to a
 *                            peer on loopback and for data that does not compress)
 * @param receiveSpareBytes   what the streams one {@link Transport} receives may queue beyond their own
 *                            {@code receiveQueueBytes}, shared among them (default a quarter of the JVM's direct
 *                            memory, at most 64 MiB; 0 to 1 GiB): a stream goes on reading its socket while
 *                            {@code zfs receive} waits for its pool to write out a transaction group, so the sender
 *                            keeps {@code zfs send} going on the core the receive leaves idle then
 */
public record TransportConfig(
        int chunkBytes,
        int writeLowWaterMark,
        int writeHighWaterMark,
        int receiveQueueBytes,
        int maxControlFrame,
        Duration idleTimeout,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxStreams,
        Duration handshakeTimeout,
        int maxConnections,
        int maxConnectionsPerPeer,
        Duration stallTimeout,
        long stallMinBytes,
        Compression compression,
        long receiveSpareBytes) {

    /** The largest control frame a server takes from a client (every request is small), and any peer before HELLO. */
    public static final int MAX_REQUEST_FRAME = 64 << 10;
    /** The largest frame either side takes before the handshake's HELLO or HELLO_OK. */
    public static final int MAX_HELLO_FRAME = 4 << 10;

    public TransportConfig {
        within("chunkBytes", chunkBytes, 4 << 10, Chunks.MAX_CHUNK_BYTES);
        within("writeLowWaterMark", writeLowWaterMark, 64 << 10, 1 << 30);
        within("writeHighWaterMark", writeHighWaterMark, writeLowWaterMark, 1 << 30);
        within("receiveQueueBytes", receiveQueueBytes, 2 * Chunks.maxCompressedLength(chunkBytes), 1 << 30);
        within("maxControlFrame", maxControlFrame, 64 << 10, 256 << 20);
        within("idleTimeout", idleTimeout, Duration.ofMillis(100), Duration.ofHours(1));
        within("connectTimeout", connectTimeout, Duration.ofMillis(100), Duration.ofMinutes(5));
        within("requestTimeout", requestTimeout, Duration.ofMillis(100), Duration.ofHours(1));
        within("maxStreams", maxStreams, 1, 4096);
        within("handshakeTimeout", handshakeTimeout, Duration.ofMillis(100), Duration.ofMinutes(5));
        within("maxConnections", maxConnections, 1, 1 << 20);
        within("maxConnectionsPerPeer", maxConnectionsPerPeer, 1, maxConnections);
        within("stallTimeout", stallTimeout, Duration.ofMillis(100), Duration.ofHours(1));
        within("stallMinBytes", stallMinBytes, 0, 1L << 40);
        Objects.requireNonNull(compression, "compression");
        within("receiveSpareBytes", receiveSpareBytes, 0, 1L << 30);
    }

    public static TransportConfig defaults() {
        return new TransportConfig(256 << 10, 1 << 20, 4 << 20, 4 << 20, 16 << 20, Duration.ofMinutes(2),
                Duration.ofSeconds(5), Duration.ofSeconds(60), 32, Duration.ofSeconds(10), 512, 32,
                Duration.ofSeconds(60), 1 << 20, Compression.AUTO, defaultReceiveSpare());
    }

    /**
     * A quarter of what the JVM may allocate as direct memory (where queued chunks live), at most
     * 64 MiB: measured on the 2-core reference machine, a 100 MB fault-in with 4 MiB of queue left
     * both cores idle for about 200 ms mid-stream (zfs-fuse writing out a transaction group on one
     * core, every buffer full, the JVMs and {@code zfs send} waiting); with 64 MiB the stream kept
     * flowing through it, and the fault-in took 3-4 % less time.
     */
    static long defaultReceiveSpare() {
        return Math.min(64L << 20, Math.max(0, io.netty.util.internal.PlatformDependent.maxDirectMemory() / 4));
    }

    public TransportConfig withReceiveSpare(long bytes) {
        return new TransportConfig(chunkBytes, writeLowWaterMark, writeHighWaterMark, receiveQueueBytes,
                maxControlFrame, idleTimeout, connectTimeout, requestTimeout, maxStreams, handshakeTimeout,
                maxConnections, maxConnectionsPerPeer, stallTimeout, stallMinBytes, compression, bytes);
    }

    public TransportConfig withIdleTimeout(Duration d) {
        return new TransportConfig(chunkBytes, writeLowWaterMark, writeHighWaterMark, receiveQueueBytes,
                maxControlFrame, d, connectTimeout, requestTimeout, maxStreams, handshakeTimeout, maxConnections,
                maxConnectionsPerPeer, stallTimeout, stallMinBytes, compression, receiveSpareBytes);
    }

    public TransportConfig withRequestTimeout(Duration d) {
        return new TransportConfig(chunkBytes, writeLowWaterMark, writeHighWaterMark, receiveQueueBytes,
                maxControlFrame, idleTimeout, connectTimeout, d, maxStreams, handshakeTimeout, maxConnections,
                maxConnectionsPerPeer, stallTimeout, stallMinBytes, compression, receiveSpareBytes);
    }

    public TransportConfig withMaxStreams(int n) {
        return new TransportConfig(chunkBytes, writeLowWaterMark, writeHighWaterMark, receiveQueueBytes,
                maxControlFrame, idleTimeout, connectTimeout, requestTimeout, n, handshakeTimeout, maxConnections,
                maxConnectionsPerPeer, stallTimeout, stallMinBytes, compression, receiveSpareBytes);
    }

    public TransportConfig withBuffers(int chunk, int low, int high, int receiveQueue) {
        return new TransportConfig(chunk, low, high, receiveQueue, maxControlFrame, idleTimeout, connectTimeout,
                requestTimeout, maxStreams, handshakeTimeout, maxConnections, maxConnectionsPerPeer, stallTimeout,
                stallMinBytes, compression, receiveSpareBytes);
    }

    public TransportConfig withConnectionLimits(int total, int perPeer, Duration handshake) {
        return new TransportConfig(chunkBytes, writeLowWaterMark, writeHighWaterMark, receiveQueueBytes,
                maxControlFrame, idleTimeout, connectTimeout, requestTimeout, maxStreams, handshake, total, perPeer,
                stallTimeout, stallMinBytes, compression, receiveSpareBytes);
    }

    public TransportConfig withStall(Duration timeout, long minBytes) {
        return new TransportConfig(chunkBytes, writeLowWaterMark, writeHighWaterMark, receiveQueueBytes,
                maxControlFrame, idleTimeout, connectTimeout, requestTimeout, maxStreams, handshakeTimeout,
                maxConnections, maxConnectionsPerPeer, timeout, minBytes, compression, receiveSpareBytes);
    }

    public TransportConfig withCompression(Compression c) {
        return new TransportConfig(chunkBytes, writeLowWaterMark, writeHighWaterMark, receiveQueueBytes,
                maxControlFrame, idleTimeout, connectTimeout, requestTimeout, maxStreams, handshakeTimeout,
                maxConnections, maxConnectionsPerPeer, stallTimeout, stallMinBytes, c, receiveSpareBytes);
    }

    private static void within(String name, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + v);
        }
    }

    private static void within(String name, Duration v, Duration min, Duration max) {
        Objects.requireNonNull(v, name);
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + v);
        }
    }
}
