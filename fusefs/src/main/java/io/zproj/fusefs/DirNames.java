package io.zproj.fusefs;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.Arrays;
import jnr.ffi.Pointer;
import ru.serce.jnrfuse.FuseFillDir;

/**
 * The names of one directory listing, as libfuse's filler takes them: each encoded once,
 * NUL-terminated, in one direct buffer. Handing a name over is then a pointer into that buffer,
 * not a String encoded into a fresh array and copied to native memory per name; and a name read
 * from the backing directory keeps its exact bytes, whatever their encoding.
 */
final class DirNames {

    /** How jnr-fuse encodes and decodes the paths it passes as Strings. */
    private static final Charset PATHS = Charset.defaultCharset();

    private final ByteBuffer bytes;
    private final int[] starts;

    private DirNames(ByteBuffer bytes, int[] starts) {
        this.bytes = bytes;
        this.starts = starts;
    }

    int size() {
        return starts.length;
    }

    /** The same listing without its {@code index}-th name, sharing the bytes. */
    DirNames without(int index) {
        int[] s = new int[starts.length - 1];
        System.arraycopy(starts, 0, s, 0, index);
        System.arraycopy(starts, index + 1, s, index, s.length - index);
        return new DirNames(bytes, s);
    }

    /**
     * Hands every name to libfuse's filler, without offsets (libfuse keeps them all).
     *
     * @return false if the filler refused one (its buffer could not grow)
     */
    boolean fill(FuseFillDir filler, Pointer buf) {
        ByteBuffer b = bytes.duplicate(); // its own position: two readers of one handle do not share one
        for (int start : starts) {
            b.position(start); // jnr-ffi passes a direct buffer as its address plus its position
            if (filler.apply(buf, b, null, 0) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The name at {@code index}, decoded (for tests and messages). */
    String name(int index) {
        int start = starts[index];
        int end = start;
        while (bytes.get(end) != 0) {
            end++;
        }
        byte[] b = new byte[end - start];
        bytes.duplicate().position(start).get(b);
        return new String(b, PATHS);
    }

    static final class Builder {
        private byte[] buf = new byte[1024];
        private int size;
        private int[] starts = new int[32];
        private int count;

        Builder add(String name) {
            byte[] b = name.getBytes(PATHS);
            return add(b, b.length);
        }

        /** The NUL-terminated name at {@code offset} of native memory, byte for byte. */
        Builder add(Pointer p, long offset) {
            int len = p.indexOf(offset, (byte) 0);
            start(len);
            p.get(offset, buf, size, len);
            return end(len);
        }

        private Builder add(byte[] name, int len) {
            start(len);
            System.arraycopy(name, 0, buf, size, len);
            return end(len);
        }

        private void start(int len) {
            if (size + len + 1 > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + len + 1));
            }
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
            }
            starts[count++] = size;
        }

        private Builder end(int len) {
            size += len;
            buf[size++] = 0;
            return this;
        }

        DirNames build() {
            ByteBuffer b = ByteBuffer.allocateDirect(Math.max(size, 1));
            b.put(buf, 0, size).clear();
            return new DirNames(b, Arrays.copyOf(starts, count));
        }
    }
}
