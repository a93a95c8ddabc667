package io.zproj.server;

import io.zproj.transport.ProjectEntry;
import io.zproj.transport.StreamHeader;
import io.zproj.transport.StreamSource;
import io.zproj.transport.Transport;
import io.zproj.transport.TransportClient;
import io.zproj.zfs.Plan;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.SendStream;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Snapshots;
import io.zproj.zfs.Zfs;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A replica keeping its {@code --peers} up to date: each project this server holds is sent to a
 * peer that lacks it or is behind, as the {@link Plan} from this server's snapshots to the
 * peer's says, as a write-back the peer checks like any other. Also counts how many replicas
 * hold each project, for {@code --copies}.
 */
final class PeerCatchUp {

    private static final System.Logger LOG = System.getLogger(PeerCatchUp.class.getName());

    private final Zfs zfs;
    private final ServerConfig config;
    private final Supplier<Transport> transport;
    private final Supplier<Collection<CatalogEntry>> entries;
    private final Predicate<ProjectId> busy;
    /** Per peer and project, a "diverged" already logged, so that it is said once, not every rescan. */
    private final Set<String> divergedSaid = ConcurrentHashMap.newKeySet();
    /** Under-replicated projects already logged. */
    private final Set<ProjectId> underSaid = ConcurrentHashMap.newKeySet();
    /** Projects sent to the peer being caught up, in this round (they count as held there). */
    private final Set<ProjectId> sentNow = ConcurrentHashMap.newKeySet();

    PeerCatchUp(Zfs zfs, ServerConfig config, Supplier<Transport> transport, Supplier<Collection<CatalogEntry>> entries,
            Predicate<ProjectId> busy) {
        this.zfs = zfs;
        this.config = config;
        this.transport = transport;
        this.entries = entries;
        this.busy = busy;
    }

    /**
     * Brings every configured peer up to date with this server: a project it lacks is sent in
     * full, one it is behind on incrementally from its head, as the {@link Plan} from this
     * server's snapshots to the peer's says; a diverged one is logged (once) and left as it is.
     * The peer's own checks apply as to any write-back. Runs after every rescan.
     */
    ReplicaServer.CatchUp run() {
        int sent = 0;
        int diverged = 0;
        List<String> unreachable = new ArrayList<>();
        Map<ProjectId, Integer> holders = new HashMap<>();
        for (InetSocketAddress peer : config.peers()) {
            try (TransportClient c = transport.get().connect(peer, config.name())) {
                Map<UUID, ProjectEntry> theirs = new HashMap<>();
                c.list().forEach(p -> theirs.put(p.id(), p));
                for (CatalogEntry e : entries.get()) {
                    ProjectEntry p = theirs.get(e.id().uuid());
                    if (e.newest().isEmpty() || busy.test(e.id()) || p != null && p.newest().isPresent()
                            && p.newest().get().guid() == e.newest().get().guid()) {
                        continue;
                    }
                    switch (sendTo(c, peer, e.id(), p == null)) {
                        case SENT -> sent++;
                        case DIVERGED -> diverged++;
                        default -> { }
                    }
                }
                for (CatalogEntry e : entries.get()) {
                    if (theirs.containsKey(e.id().uuid()) || sentNow.contains(e.id())) {
                        holders.merge(e.id(), 1, Integer::sum);
                    }
                }
                sentNow.clear();
            } catch (IOException | RuntimeException e) {
                unreachable.add(io.zproj.transport.Addresses.format(peer) + ": " + e.getMessage());
                LOG.log(Level.DEBUG, () -> "peer " + peer + " not brought up to date now: " + e.getMessage());
            }
        }
        return new ReplicaServer.CatchUp(sent, diverged, unreachable, underReplicated(holders, unreachable));
    }

    /** Projects that this server and the peers that answered hold fewer than {@code copies} times; logged once each. */
    private List<String> underReplicated(Map<ProjectId, Integer> holders, List<String> unreachable) {
        List<String> out = new ArrayList<>();
        if (config.copies() == 0) {
            return out;
        }
        for (CatalogEntry e : entries.get()) {
            ProjectId id = e.id();
            int n = 1 + holders.getOrDefault(id, 0);
            if (n < config.copies()) {
                String line = id + " is held by " + n + " of the " + config.copies() + " replicas it should be on"
                        + (unreachable.isEmpty() ? "" : " (" + unreachable.size() + " peer(s) did not answer)");
                out.add(line);
                if (underSaid.add(id)) {
                    LOG.log(Level.WARNING, line);
                }
            } else {
                underSaid.remove(id);
            }
        }
        return out;
    }

    private enum Sent { SENT, NOTHING, DIVERGED }

    private Sent sendTo(TransportClient c, InetSocketAddress peer, ProjectId id, boolean absent) throws IOException {
        List<Snapshot> ours = zfs.listSnapshots(config.root().child(id));
        if (ours.isEmpty()) {
            return Sent.NOTHING;
        }
        List<Plan.Point> theirs = absent ? List.of() : c.info(id.uuid()).snapshots().stream()
                .map(Streams::point).toList();
        Plan plan = Plan.between(Plan.points(ours), theirs);
        String key = peer + "/" + id;
        if (plan instanceof Plan.Diverged d) {
            if (divergedSaid.add(key)) {
                LOG.log(Level.WARNING, "not sending " + id + " to peer " + io.zproj.transport.Addresses.format(peer)
                        + ": " + d.describe("this server", "the peer") + "; left as it is");
            }
            return Sent.DIVERGED;
        }
        divergedSaid.remove(key);
        if (!(plan instanceof Plan.Full) && !(plan instanceof Plan.Incremental)) {
            return Sent.NOTHING;
        }
        Snapshot newest = ours.get(ours.size() - 1);
        Optional<Snapshot> base = plan instanceof Plan.Incremental inc ? Snapshots.byGuid(ours, inc.from().guid())
                : Optional.empty();
        SendStream send = zfs.send(newest.name(), base.map(Snapshot::name));
        StreamHeader header = new StreamHeader(id.uuid(), Streams.entry(newest), base.map(Streams::entry));
        TransportClient.PushResult r = c.push(header, StreamSource.of(send.stream(), send::finish, send::close));
        sentNow.add(id);
        LOG.log(Level.INFO, "brought peer " + io.zproj.transport.Addresses.format(peer) + " up to date with " + id + " "
                + r.ack().snapshot() + (base.isPresent() ? " (incremental, " : " (full, ") + r.stats().rawBytes()
                + " bytes)");
        return Sent.SENT;
    }
}
