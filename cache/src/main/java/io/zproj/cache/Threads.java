package io.zproj.cache;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The cache's one thread factory: daemon threads named after what they do. */
final class Threads {

    private Threads() {}

    /** Daemon threads called {@code name-1}, {@code name-2}, ... */
    static ThreadFactory named(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
