package io.zproj.transport;

/**
 * The client on the other end of a server's connection: the stable name it gave in its
 * handshake (what the server keeps state under, e.g. the holds on the snapshot it is based on)
 * and where it connected from (for logs).
 */
public record Peer(String name, String address) {
    @Override
    public String toString() {
        return name + "@" + address;
    }
}
