package io.zproj.cli;

import io.zproj.cache.ProjectTransfers;
import io.zproj.transport.Transport;
import io.zproj.transport.TransportConfig;
import io.zproj.transport.tls.NodeTls;
import java.io.IOException;
import java.util.Optional;
import io.zproj.zfs.Zfs;
import io.zproj.zfs.ZfsConfig;
import io.zproj.zfs.ZfsException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The parts one command needs, opened together and closed in reverse. */
final class Wiring implements AutoCloseable {

    final Zfs zfs;
    final Transport transport;

    private Wiring(Zfs zfs, Transport transport) {
        this.zfs = zfs;
        this.transport = transport;
    }

    /** ZFS, and a transport without TLS (for commands that use no network). */
    static Wiring open() throws ZfsException {
        return open(Optional.empty());
    }

    static Wiring open(Optional<NodeTls> tls) throws ZfsException {
        Zfs zfs = Zfs.open(ZfsConfig.defaults());
        return new Wiring(zfs, Transport.create(TransportConfig.defaults(), tls));
    }

    /** A transport without ZFS, for commands that only talk to servers. */
    static Transport transportOnly(TlsOptions tls) throws IOException {
        return Transport.create(TransportConfig.defaults(), tls.client());
    }

    ProjectTransfers transfers() {
        return new ProjectTransfers(zfs, transport, transport.name(clientName()));
    }

    /**
     * This client's name as servers know it: the host name, the same after every restart, so
     * that a server keeps holding the snapshot this host is based on (see {@code --name} of
     * {@code zproj mount} for hosts that share a name).
     */
    static String clientName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public void close() {
        transport.close();
        zfs.close();
    }
}
