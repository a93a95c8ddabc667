package io.zproj.cache;

import io.zproj.transport.Addresses;
import io.zproj.transport.ProjectEntry;
import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code zproj where}: a project as the fleet in etcd knows it, read once. */
public final class FleetReport {

    private FleetReport() {}

    /**
     * The writer (if any) and each server's copy with its head, one line each.
     *
     * @throws IOException if etcd does not answer
     */
    public static List<String> where(List<URI> etcd, java.util.Optional<io.zproj.transport.tls.NodeTls> tls, ProjectId id)
            throws IOException {
        try (EtcdFleet fleet = EtcdFleet.start(etcd, tls)) {
            if (!fleet.connected()) {
                throw new IOException("etcd at " + etcd + " does not answer");
            }
            List<String> out = new ArrayList<>();
            out.add(id + " at etcd revision " + fleet.revision());
            out.add("  writer: " + fleet.writer(id).orElse("none (the next host to open it takes it)"));
            Map<String, InetSocketAddress> servers = fleet.serverNames();
            Map<String, ProjectEntry> copies = new TreeMap<>(fleet.copies(id));
            if (copies.isEmpty()) {
                out.add("  no server holds it");
            }
            copies.forEach((server, e) -> out.add("  " + server + " (" + (servers.containsKey(server)
                    ? Addresses.format(servers.get(server)) : "not listed") + "): "
                    + e.newest().map(Object::toString).orElse("no snapshot") + ", " + Bytes.format(e.usedBytes())));
            return out;
        }
    }
}
