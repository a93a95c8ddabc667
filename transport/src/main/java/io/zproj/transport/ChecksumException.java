package io.zproj.transport;

/** A chunk or a whole stream failed its length or checksum check: the data was damaged on the way. */
public class ChecksumException extends TransportException {

    private static final long serialVersionUID = 1L;

    public ChecksumException(String message) {
        super(message);
    }
}
