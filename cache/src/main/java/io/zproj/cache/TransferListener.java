package io.zproj.cache;

import io.zproj.transport.StreamHeader;
import java.net.InetSocketAddress;

/** Hears how a pull or push goes, e.g. to draw a progress bar. Called from the transferring thread. */
public interface TransferListener {

    TransferListener NONE = new TransferListener() {};

    /**
     * A stream starts.
     *
     * @param estimatedBytes the expected raw size, or -1 if unknown (an incremental stream)
     */
    default void started(InetSocketAddress server, StreamHeader header, long estimatedBytes) {}

    /** {@code rawBytes} of the stream have moved so far. */
    default void progress(long rawBytes) {}

    /** A replica failed; the next one is tried. */
    default void failedOver(InetSocketAddress server, String reason) {}
}
