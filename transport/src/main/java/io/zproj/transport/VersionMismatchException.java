package io.zproj.transport;

/** The peer speaks another protocol version than this one. */
public class VersionMismatchException extends ProtocolException {

    private static final long serialVersionUID = 1L;

    private final int peerVersion;

    public VersionMismatchException(int peerVersion) {
        super("peer speaks protocol version " + peerVersion + ", this side speaks version " + Protocol.VERSION);
        this.peerVersion = peerVersion;
    }

    public int peerVersion() {
        return peerVersion;
    }
}
