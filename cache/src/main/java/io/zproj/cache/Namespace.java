package io.zproj.cache;

import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the {@code /projects} mount asks of the cache. Implementations are thread-safe: FUSE
 * calls come from many threads at once.
 */
public interface Namespace {

    /** The attributes of a project's directory, known without fetching it. */
    record ProjectAttributes(long modifiedEpochSecond, long sizeBytes) {}

    /**
     * Every project known to the servers or held locally, sorted. Never blocks on the network.
     * Unmodifiable, and the same list object for as long as the set is unchanged: a caller may
     * keep what it derives from the list by the list's identity.
     */
    List<ProjectId> projects();

    /** How many {@link #projects()} there are (the root's link count). */
    default int projectCount() {
        return projects().size();
    }

    /**
     * The attributes of {@code /<id>} without fetching the project, or empty if no server and no
     * local copy knows it (answered from a short-lived negative cache for unknown ids).
     */
    Optional<ProjectAttributes> attributes(ProjectId id);

    /**
     * The local directory that holds the project, fetching it first if it is not local (one
     * fetch however many callers ask at once) and refreshing it when it is clean and a replica
     * has newer snapshots.
     *
     * @throws IOException if no replica could provide it; the next call tries again
     */
    Path open(ProjectId id) throws IOException;

    /**
     * The local (backing) directory if the project is already local and mounted; no I/O. Changes
     * made there need no report: ZFS tells what changed.
     */
    Optional<Path> ready(ProjectId id);

    /**
     * The snapshots of the project's local copy, oldest first, fetching it first if it is not
     * local (for {@code /projects/.snapshots/<uuid>/}).
     */
    default List<io.zproj.zfs.Snapshot> snapshots(ProjectId id) throws IOException {
        return List.of();
    }

    /**
     * The directory where one snapshot of the project's local copy is seen read-only, made on
     * first use (for {@code /projects/.snapshots/<uuid>/<name>/}).
     *
     * @throws java.nio.file.NoSuchFileException if the copy has no such snapshot
     */
    default Path openSnapshot(ProjectId id, String name) throws IOException {
        throw new java.nio.file.NoSuchFileException(id + "@" + name);
    }

    /** Which projects have files open through the mount (those are never taken away). */
    default void inUse(java.util.function.Predicate<ProjectId> openFiles) {}

    /**
     * The namespace is mounted at {@code mountpoint}: local projects may now be mounted natively
     * over their directories there (in the background, never from the calling thread's request).
     */
    default void attach(Path mountpoint) {}

    /**
     * Takes the native mounts away before the namespace is unmounted.
     *
     * @return one line per project still mounted because a process uses it
     */
    default List<String> detachNative() {
        return List.of();
    }
}
