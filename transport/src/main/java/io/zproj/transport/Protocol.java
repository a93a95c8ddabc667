package io.zproj.transport;

/**
 * The frame layout. Every frame is an 8-byte header and a payload:
 *
 * <pre>
 *   magic   u16  0x5A50 ("ZP")
 *   version u8   2 (2: INFO_REPLY carries the referenced bytes)
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
    static final int VERSION = 3; // 3: RECEIVE carries the writer key's revision
    static final int HEADER_LENGTH = 8;

    /** Longest string on the wire (error messages, names). */
    static final int MAX_STRING_BYTES = 4096;

    private Protocol() {}

    /** Frame types, their wire codes and the message each carries. */
    enum Type {
        HELLO(1, Message.Hello.class),
        HELLO_OK(2, Message.HelloOk.class),
        ERROR(3, Message.Error.class),
        PING(4, Message.Ping.class),
        PONG(5, Message.Pong.class),
        LIST(6, Message.ListProjects.class),
        PROJECT_LIST(7, Message.ProjectList.class),
        INFO(8, Message.Info.class),
        INFO_REPLY(9, Message.InfoReply.class),
        SEND(10, Message.Send.class),
        STREAM_START(11, Message.StreamStart.class),
        UP_TO_DATE(12, Message.UpToDate.class),
        READY(13, Message.Ready.class),
        CHUNK(14, Message.Chunk.class),
        STREAM_END(15, Message.StreamEnd.class),
        RECEIVE(16, Message.Receive.class),
        ACK(17, Message.Acked.class),
        CREATE(18, Message.Create.class),
        SET_ASIDE(19, Message.SetAside.class),
        ASIDE(20, Message.Aside.class);

        private static final Type[] BY_CODE = new Type[32];
        private static final java.util.Map<Class<?>, Type> BY_CLASS = new java.util.HashMap<>();

        static {
            for (Type t : values()) {
                BY_CODE[t.code] = t;
                BY_CLASS.put(t.messageClass, t);
            }
        }

        final int code;
        private final Class<? extends Message> messageClass;

        Type(int code, Class<? extends Message> messageClass) {
            this.code = code;
            this.messageClass = messageClass;
        }

        /** The type of a wire code, or null if unknown. */
        static Type of(int code) {
            return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        }

        /** The type that carries a message. */
        static Type of(Message m) {
            return BY_CLASS.get(m.getClass());
        }
    }
}
