package io.zproj.cache;

import io.zproj.transport.ProjectEntry;
import io.zproj.transport.SnapshotEntry;
import io.zproj.zfs.ProjectId;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The client's view of the fleet: which replica servers there are and what they hold. Two
 * kinds: {@link PolledFleet} asks a fixed list of servers every list-refresh interval (the
 * embedded default, no other process); {@link EtcdFleet} reads what the servers publish in etcd
 * once, then follows a watch (no polling; a change is seen within a second). Readers never wait
 * on the network.
 */
interface Fleet extends AutoCloseable {

    /** The servers to fetch from and write back to, now. */
    List<InetSocketAddress> servers();

    /** Every project some server holds: its newest entry. */
    Map<ProjectId, ProjectEntry> listed();

    /** Brings the view up to date now if this kind polls; a watched fleet is always current. */
    void refresh();

    /** Whether {@link #refresh} must be called periodically. */
    boolean polls();

    /** Called (on the fleet's own thread) after the view changed, for a fleet that is not polled. */
    void onChange(Runnable listener);

    /**
     * Who holds the project's writer key, if anyone. Without etcd there are no writer keys and
     * every host writes (empty).
     */
    default java.util.Optional<String> writer(ProjectId id) {
        return java.util.Optional.empty();
    }

    /** Whether this fleet keeps one writer per project (etcd). */
    default boolean hasWriterKeys() {
        return false;
    }

    /**
     * Takes the project's writer key for this host if it is free (or this host's already).
     *
     * @return whether this host may write the project (always without writer keys)
     */
    default boolean takeWriter(ProjectId id) {
        return true;
    }

    /** The etcd revision at which this host took the project's writer key; 0 if it holds none. */
    default long writerRevision(ProjectId id) {
        return 0;
    }

    /** Lets the project's writer key go, if this host holds it. */
    default void releaseWriter(ProjectId id) {}

    /** Called with the projects whose writer keys this host lost (its lease expired while etcd was away). */
    default void onWritersLost(java.util.function.Consumer<java.util.Set<ProjectId>> listener) {}

    /** One line for {@code zproj status}: where the fleet comes from and whether it is current. */
    String describe();

    @Override
    void close();

    /** Of two servers' entries for one project, the one to show: the newer head (in the same second, the later txg). */
    static ProjectEntry newer(ProjectEntry a, ProjectEntry b) {
        long ta = a.newest().map(SnapshotEntry::creationEpochSecond).orElse(-1L);
        long tb = b.newest().map(SnapshotEntry::creationEpochSecond).orElse(-1L);
        if (ta == tb) {
            return b.newest().map(SnapshotEntry::createTxg).orElse(-1L) > a.newest().map(SnapshotEntry::createTxg)
                    .orElse(-1L) ? b : a;
        }
        return tb > ta ? b : a;
    }
}
