package io.zproj.transport;

/** A stream's sender brought too little for too long; the stream was aborted and nothing of it kept. */
public final class StalledException extends TransportException {
    private static final long serialVersionUID = 1L;

    public StalledException(String message) {
        super(message);
    }
}
