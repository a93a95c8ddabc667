package io.zproj.transport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the streams one {@link Transport} receives may queue beyond their own
 * {@link TransportConfig#receiveQueueBytes}, shared among them
 * ({@link TransportConfig#receiveSpareBytes}). A stream takes from it while its queue is longer
 * than its own share and gives back as its queue shortens; a stream that cannot take stops
 * reading its socket, as it does without a spare. So every stream always has its own share,
 * and all of them together never queue more than their shares plus the spare. Thread-safe.
 */
final class ReceiveSpare {

    private final long capacity;
    private final AtomicLong free;

    /** @param capacity {@link TransportConfig#receiveSpareBytes}, which the config bounds to 0 .. 1 GiB */
    ReceiveSpare(long capacity) {
        this.capacity = capacity;
        this.free = new AtomicLong(capacity);
    }

    /** Takes up to {@code bytes} (all, or what is left); returns how many it took. */
    long take(long bytes) {
        while (true) {
            long f = free.get();
            long t = Math.min(f, bytes);
            if (t <= 0) {
                return 0;
            }
            if (free.compareAndSet(f, f - t)) {
                return t;
            }
        }
    }

    /** Gives back bytes taken before. */
    void give(long bytes) {
        if (bytes < 0 || free.addAndGet(bytes) > capacity) {
            throw new IllegalStateException("gave back " + bytes + " bytes, more than was taken");
        }
    }

    long free() {
        return free.get();
    }

    long capacity() {
        return capacity;
    }
}
