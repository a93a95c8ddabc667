package io.zproj.transport;

import io.zproj.transport.tls.Role;

/**
 * The client on the other end of a server's connection: its stable name (from its certificate
 * with TLS, from its handshake otherwise), what the server keeps state under (e.g. the holds on
 * the snapshot it is based on); its role, which decides what it may ask; and where it connected
 * from (for logs). Without TLS every peer is an {@link Role#ADMIN}: plain text is for loopback.
 */
public record Peer(String name, String address, Role role) {
    @Override
    public String toString() {
        return name + "@" + address;
    }
}
