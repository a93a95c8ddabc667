package io.zproj.transport;

/** Why a request failed, as carried by an error frame. Codes are stable on the wire. */
public enum ErrorCode {
    /** The project, or the snapshot named as a base, does not exist on the server. */
    NOT_FOUND(1),
    /** The server's newest snapshot is not the stated base: nothing was changed. */
    DIVERGED(2),
    /** The server has no room for the project. */
    NO_SPACE(3),
    /** The request was malformed or not allowed in this state. */
    BAD_REQUEST(4),
    /** Something failed on the server; the message says what. */
    INTERNAL(5),
    /** The project to create exists already. */
    EXISTS(6),
    /** The project is busy (another write-back in progress) or the server is at its stream limit. */
    BUSY(7),
    /** The peer speaks another protocol version. */
    BAD_VERSION(8),
    /** A chunk or the whole stream failed its checksum or length check. */
    CHECKSUM(9),
    /** The server is shutting down. */
    UNAVAILABLE(10),
    /** The peer's identity may not do this (its role, or the server's allow list); nothing was changed. */
    FORBIDDEN(11),
    /**
     * A write-back from a host that does not hold the project's writer key (it lost it, or never
     * took it): nothing was changed; its changes stay on that host, set aside as a conflict.
     */
    NOT_WRITER(12);

    private final int wire;

    ErrorCode(int wire) {
        this.wire = wire;
    }

    int wire() {
        return wire;
    }

    /** The code for a wire value; unknown values (from a newer peer) are {@link #INTERNAL}. */
    static ErrorCode fromWire(int wire) {
        for (ErrorCode c : values()) {
            if (c.wire == wire) {
                return c;
            }
        }
        return INTERNAL;
    }
}
