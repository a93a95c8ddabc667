package io.zproj.transport;

/**
 * What a {@link ReplicaService} throws to refuse a request: the code and message go to the
 * client as an error frame.
 */
public class ServiceException extends TransportException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public ServiceException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ServiceException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
