package io.zproj.cache;

import io.zproj.transport.Addresses;
import io.zproj.transport.ProjectEntry;
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
 * The fleet as a fixed list of servers, asked for their lists every list-refresh interval: what
 * they last listed, merged (the newest entry per project). Never blocks a reader on the network;
 * {@link #refresh} asks every server.
 */
final class PolledFleet implements Fleet {

    private static final System.Logger LOG = System.getLogger(PolledFleet.class.getName());

    private final Transport transport;
    private final List<InetSocketAddress> servers;
    private volatile Map<ProjectId, ProjectEntry> listed = Map.of();

    PolledFleet(Transport transport, List<InetSocketAddress> servers) {
        this.transport = transport;
        this.servers = servers;
    }

    @Override
    public List<InetSocketAddress> servers() {
        return servers;
    }

    @Override
    public String describe() {
        return "fleet: " + servers.size() + " servers, asked for their projects every list-refresh interval";
    }

    @Override
    public boolean polls() {
        return true;
    }

    @Override
    public void onChange(Runnable listener) {
        // polled: the caller refreshes, and acts after each refresh
    }

    @Override
    public void close() {
        // nothing held between refreshes
    }

    /** Asks every server for its list; a server that fails takes nothing away, and if none answers the last list stays. */
    @Override
    public void refresh() {
        Map<ProjectId, ProjectEntry> merged = new ConcurrentHashMap<>();
        int answered = 0;
        for (InetSocketAddress server : servers) {
            try (TransportClient c = transport.connect(server, "zproj-mount-list")) {
                for (ProjectEntry e : c.list()) {
                    merged.merge(new ProjectId(e.id()), e, Fleet::newer);
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

    /** The last list: project -> its newest entry. */
    @Override
    public Map<ProjectId, ProjectEntry> listed() {
        return listed;
    }

}
