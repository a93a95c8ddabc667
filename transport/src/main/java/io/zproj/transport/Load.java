package io.zproj.transport;

/**
 * A server's load, as PING reports it.
 *
 * @param streamsInFlight sends and receives running now
 * @param freeBytes       bytes still available under the server's root
 */
public record Load(int streamsInFlight, long freeBytes) {}
