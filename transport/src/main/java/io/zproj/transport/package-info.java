/**
 * The wire protocol between client nodes and replica servers: length-prefixed frames,
 * codecs, LZ4-compressed {@code zfs send} chunks with checksums, and the client and server
 * channel plumbing on Netty. Nothing outside this package sees a Netty type.
 */
package io.zproj.transport;
