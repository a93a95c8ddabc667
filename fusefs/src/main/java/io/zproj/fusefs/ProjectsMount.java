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
 * <p>A local project is mounted natively over its directory, so this mount serves only the
 * namespace (the root and the projects' directories) and the passthrough of processes that
 * entered a project before its native mount appeared. Options: multi-threaded,
 * {@code allow_other}, {@code big_writes} with 128 KiB reads and writes; names are cached by
 * the kernel for {@value #ENTRY_SECONDS} s (a project's entry never changes while it is mounted
 * on: the kernel would detach the mount), attributes and missing names not at all: every
 * {@code stat} through the passthrough is the backing file's, link counts and ctime included,
 * and a project or file that appears is seen at once. No {@code default_permissions}: the
 * passthrough acts as the caller ({@link Credentials}) and the backing filesystem checks, so
 * the kernel needs no attributes of {@code /projects} to walk into a native mount.
 */
public final class ProjectsMount implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ProjectsMount.class.getName());

    /** How long the kernel caches names, in seconds. */
    public static final int ENTRY_SECONDS = 60;
    /** How long the kernel caches attributes, in seconds: not at all. */
    public static final int ATTR_SECONDS = 0;

    /** The mount options, as the README documents them. */
    public static final List<String> OPTIONS = List.of("-o",
            "allow_other,big_writes,max_read=131072,max_write=131072,"
                    + "attr_timeout=" + ATTR_SECONDS + ",entry_timeout=" + ENTRY_SECONDS
                    + ",negative_timeout=0,fsname=zproj,subtype=zproj");

    private final ProjectsFs fs;
    private final Path mountpoint;

    private final Namespace namespace;

    private ProjectsMount(ProjectsFs fs, Path mountpoint, Namespace namespace) {
        this.fs = fs;
        this.mountpoint = mountpoint;
        this.namespace = namespace;
    }

    /**
     * Mounts the namespace at {@code mountpoint} (created if missing) and returns once it is
     * mounted; then local projects are mounted natively over it in the background.
     *
     * @param backingBase the directory under which the projects' backing mounts are
     */
    public static ProjectsMount mount(Namespace namespace, Path mountpoint, Path backingBase) throws java.io.IOException {
        Files.createDirectories(mountpoint);
        ProjectsFs fs = new ProjectsFs(namespace, backingBase);
        ProjectsMount m = new ProjectsMount(fs, mountpoint, namespace);
        namespace.inUse(fs::hasOpenFiles);
        fs.mount(mountpoint, false, false, OPTIONS.toArray(String[]::new));
        LOG.log(Level.INFO, "mounted the projects namespace at " + mountpoint);
        namespace.attach(mountpoint);
        return m;
    }

    public ProjectsFs fs() {
        return fs;
    }

    public Path mountpoint() {
        return mountpoint;
    }

    /**
     * Unmounts: first the projects' native mounts (one a process uses stays, and the log names
     * the process: it keeps working on the dataset and its changes are written back at the next
     * start), then the namespace.
     */
    @Override
    public void close() {
        List<String> busy = namespace.detachNative();
        if (!busy.isEmpty()) {
            LOG.log(Level.WARNING, "stopping with projects still in use; they stay mounted for the processes that use"
                    + " them: " + String.join("; ", busy));
        }
        fs.umount();
        LOG.log(Level.INFO, "unmounted " + mountpoint);
    }
}
