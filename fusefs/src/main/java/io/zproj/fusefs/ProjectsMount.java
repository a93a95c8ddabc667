package io.zproj.fusefs;

import io.zproj.cache.Namespace;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code /projects} mount: mounts {@link ProjectsFs} with options chosen for throughput,
 * and unmounts it on {@link #close()}.
 *
 * <p>Options: multi-threaded, {@code allow_other}, {@code default_permissions} (the kernel
 * checks mode bits, so the adapter, running as root, need not), {@code big_writes} with 128 KiB
 * reads and writes; names (entries and negative entries) are cached by the kernel for
 * {@value #ENTRY_SECONDS} s and attributes for {@value #ATTR_SECONDS} s. This mount is the only
 * writer of its backing datasets and the kernel keeps its caches right for what goes through
 * it, with two exceptions, which bound the staleness: an incremental refresh of a (clean)
 * project changes data beneath the cache, and a hard link's count is not updated on the other
 * names of the file; both show within {@value #ATTR_SECONDS} s.
 */
public final class ProjectsMount implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ProjectsMount.class.getName());

    /** How long the kernel caches names and missing names, in seconds. */
    public static final int ENTRY_SECONDS = 10;
    /** How long the kernel caches attributes, in seconds. */
    public static final int ATTR_SECONDS = 10;

    /** The mount options, as the README documents them. */
    public static final List<String> OPTIONS = List.of("-o",
            "allow_other,default_permissions,big_writes,max_read=131072,max_write=131072,"
                    + "attr_timeout=" + ATTR_SECONDS + ",entry_timeout=" + ENTRY_SECONDS
                    + ",negative_timeout=" + ENTRY_SECONDS + ",fsname=zproj,subtype=zproj");

    private final ProjectsFs fs;
    private final Path mountpoint;

    private ProjectsMount(ProjectsFs fs, Path mountpoint) {
        this.fs = fs;
        this.mountpoint = mountpoint;
    }

    /** Mounts the namespace at {@code mountpoint} (created if missing) and returns once it is mounted. */
    public static ProjectsMount mount(Namespace namespace, Path mountpoint, Path statfsFallback) throws java.io.IOException {
        Files.createDirectories(mountpoint);
        ProjectsFs fs = new ProjectsFs(namespace, statfsFallback);
        namespace.inUse(fs::hasOpenFiles);
        fs.mount(mountpoint, false, false, OPTIONS.toArray(String[]::new));
        LOG.log(Level.INFO, "mounted the projects namespace at " + mountpoint);
        return new ProjectsMount(fs, mountpoint);
    }

    public ProjectsFs fs() {
        return fs;
    }

    public Path mountpoint() {
        return mountpoint;
    }

    /** Unmounts. */
    @Override
    public void close() {
        fs.umount();
        LOG.log(Level.INFO, "unmounted " + mountpoint);
    }
}
