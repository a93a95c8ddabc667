package io.zproj.cache;

import io.zproj.transport.Addresses;
import io.zproj.transport.ProjectEntry;
import io.zproj.transport.SnapshotEntry;
import io.zproj.transport.Transport;
import io.zproj.transport.TransportClient;
import io.zproj.transport.TransportException;
import io.zproj.zfs.ProjectId;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The namespace's view of the fleet: what the replica servers last listed, merged (the newest
 * entry per project). Never blocks a reader on the network; {@link #refresh} asks every server.
 */
final class ProjectList {

    private static final System.Logger LOG = System.getLogger(ProjectList.class.getName());

    private final Transport transport;
    private final List<InetSocketAddress> servers;
    private volatile Map<ProjectId, ProjectEntry> listed = Map.of();

    ProjectList(Transport transport, List<InetSocketAddress> servers) {
        this.transport = transport;
        this.servers = servers;
    }

    /** Asks every server for its list; a server that fails takes nothing away, and if none answers the last list stays. */
    void refresh() {
        Map<ProjectId, ProjectEntry> merged = new ConcurrentHashMap<>();
        int answered = 0;
        for (InetSocketAddress server : servers) {
            try (TransportClient c = transport.connect(server, "zproj-mount-list")) {
                for (ProjectEntry e : c.list()) {
                    merged.merge(new ProjectId(e.id()), e, ProjectList::newer);
                }
                answered++;
            } catch (TransportException e) {
                LOG.log(Level.DEBUG, () -> "listing " + Addresses.format(server) + " failed: " + e.getMessage());
            }
        }
        if (answered > 0 || servers.isEmpty()) {
            listed = merged;
        }
    }

    private static ProjectEntry newer(ProjectEntry a, ProjectEntry b) {
        long ta = a.newest().map(SnapshotEntry::creationEpochSecond).orElse(-1L);
        long tb = b.newest().map(SnapshotEntry::creationEpochSecond).orElse(-1L);
        return tb > ta ? b : a;
    }

    /** The last list: project -> its newest entry. */
    Map<ProjectId, ProjectEntry> listed() {
        return listed;
    }

    ProjectEntry get(ProjectId id) {
        return listed.get(id);
    }
}
