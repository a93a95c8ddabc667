package io.zproj.transport;

import java.io.IOException;

/**
 * The root of the transport's errors: a connection that failed, a peer that broke the
 * protocol, or a request the peer refused ({@link RemoteException}).
 */
public class TransportException extends IOException {

    private static final long serialVersionUID = 1L;

    public TransportException(String message) {
        super(message);
    }

    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
