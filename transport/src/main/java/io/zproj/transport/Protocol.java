package io.zproj.transport;

/**
 * The frame layout. Every frame is an 8-byte header and a payload:
 *
 * <pre>
 *   magic   u16  0x5A50 ("ZP")
 *   version u8   1
 *   type    u8   see {@link Type}
 *   length  u32  payload bytes, checked against a maximum for the type before anything is allocated
 *   payload
 * </pre>
 *
 * Integers are big-endian; strings are a u16 byte length and UTF-8; UUIDs 16 bytes; an optional
 * value is a u8 flag and the value.
 */
final class Protocol {

    static final int MAGIC = 0x5A50;
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 8;

    /** Longest string on the wire (error messages, names). */
    static final int MAX_STRING_BYTES = 4096;

    private Protocol() {}

    /** Frame types and their wire codes. */
    enum Type {
        HELLO(1), HELLO_OK(2), ERROR(3), PING(4), PONG(5), LIST(6), PROJECT_LIST(7), INFO(8), INFO_REPLY(9),
        SEND(10), STREAM_START(11), UP_TO_DATE(12), READY(13), CHUNK(14), STREAM_END(15), RECEIVE(16),
        ACK(17), CREATE(18);

        private static final Type[] BY_CODE = new Type[32];

        static {
            for (Type t : values()) {
                BY_CODE[t.code] = t;
            }
        }

        final int code;

        Type(int code) {
            this.code = code;
        }

        /** The type of a wire code, or null if unknown. */
        static Type of(int code) {
            return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        }
    }
}
