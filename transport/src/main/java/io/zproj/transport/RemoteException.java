package io.zproj.transport;

/** The peer answered a request with an error frame. */
public class RemoteException extends TransportException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public RemoteException(ErrorCode code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
