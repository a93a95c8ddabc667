package io.zproj.cli;

import io.zproj.cache.ProjectTransfers;
import io.zproj.transport.Transport;
import io.zproj.transport.TransportConfig;
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

    static Wiring open() throws ZfsException {
        Zfs zfs = Zfs.open(ZfsConfig.defaults());
        return new Wiring(zfs, Transport.create(TransportConfig.defaults()));
    }

    /** A transport without ZFS, for commands that only talk to servers. */
    static Transport transportOnly() {
        return Transport.create(TransportConfig.defaults());
    }

    ProjectTransfers transfers() {
        return new ProjectTransfers(zfs, transport, clientName());
    }

    /** This client's name as servers record it: host and process id. */
    static String clientName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "/" + ProcessHandle.current().pid();
    }

    @Override
    public void close() {
        transport.close();
        zfs.close();
    }
}
