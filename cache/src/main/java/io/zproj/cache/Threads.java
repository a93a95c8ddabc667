package io.zproj.cache;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ThreadFactory;

/**
 * Daemon threads named after what they do, from Netty's thread factory (the one the transport's
 * event loops and the servers use too).
 */
final class Threads {

    private Threads() {}

    /** Daemon threads called {@code name-<pool>-<n>}. */
    static ThreadFactory named(String name) {
        return new DefaultThreadFactory(name, true);
    }
}
