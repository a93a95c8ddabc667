package io.zproj.transport;

/** A frame broke the protocol: wrong magic or version, bad length, unknown type, truncated or corrupt. */
public class ProtocolException extends TransportException {

    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
