package io.zproj.transport;

import io.netty.channel.Channel;

/**
 * Lets a sending thread wait until its channel can take more (outbound buffer below the low
 * water mark), and learn at once when the peer has sent an error or the connection is gone.
 */
final class Writability {

    private TransportException failure;

    /** Wakes the sender: the channel's writability changed. */
    synchronized void changed() {
        notifyAll();
    }

    /** Records why the sending must stop (peer error, closed connection) and wakes the sender. */
    synchronized void fail(TransportException e) {
        if (failure == null) {
            failure = e;
        }
        notifyAll();
    }

    /** Clears a failure before the next exchange on the same connection. */
    synchronized void reset() {
        failure = null;
    }

    /** Waits until {@code ch} is writable. @throws TransportException if the exchange failed meanwhile */
    synchronized void await(Channel ch) throws TransportException {
        while (true) {
            if (failure != null) {
                throw failure;
            }
            if (!ch.isActive()) {
                throw new TransportException("connection to " + ch.remoteAddress() + " closed mid-stream");
            }
            if (ch.isWritable()) {
                return;
            }
            try {
                wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransportException("interrupted while sending", e);
            }
        }
    }

    synchronized TransportException failure() {
        return failure;
    }
}
