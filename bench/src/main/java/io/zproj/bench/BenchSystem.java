package io.zproj.bench;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One of the file systems the suite compares: set up on this machine by {@link #start}, torn
 * down by {@link #close} (which never throws and undoes whatever a failed start left).
 */
interface BenchSystem extends AutoCloseable {

    /** Short name used in tables, CSV and charts: {@code zproj}, {@code native}, {@code gluster}. */
    String name();

    /** Sets the system up; afterwards {@link #workDir()} is an existing, writable directory. */
    void start() throws IOException;

    /** Where workloads run: a directory on this system (each workload makes its own subdirectories). */
    Path workDir();

    /**
     * Makes the next access cold: at least the kernel's page, dentry and inode caches are dropped;
     * a system may do more (a FUSE client's own caches) and says so in {@link #coldMeans()}.
     */
    default void dropCaches() throws IOException {
        Sh.dropKernelCaches();
    }

    /** One sentence on what {@link #dropCaches()} drops, for the report. */
    default String coldMeans() {
        return "kernel page, dentry and inode caches dropped";
    }

    /** Tears down everything {@link #start} made; never throws. */
    @Override
    void close();
}
