package io.zproj.fusefs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.FuseFillDir;

class DirNamesTest {

    /** What a filler saw: each name's bytes up to its NUL, read at the buffer's address plus position. */
    private static final class Seen implements FuseFillDir {
        final List<byte[]> names = new ArrayList<>();
        final int refuseAfter;

        Seen(int refuseAfter) {
            this.refuseAfter = refuseAfter;
        }

        @Override
        public int apply(Pointer buf, ByteBuffer name, Pointer stbuf, long off) {
            assertThat(name.isDirect()).as("a pointer into native memory, not an array to copy").isTrue();
            ByteBuffer b = name.duplicate();
            int end = b.position();
            while (b.get(end) != 0) {
                end++;
            }
            byte[] n = new byte[end - b.position()];
            b.get(n);
            names.add(n);
            return names.size() > refuseAfter ? 1 : 0;
        }
    }

    @Test
    void fill_handsEachNameNulTerminated_inOrder() {
        List<String> names = List.of(".", "..", "0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69", "é");
        DirNames.Builder b = new DirNames.Builder();
        names.forEach(b::add);
        Seen seen = new Seen(Integer.MAX_VALUE);
        assertThat(b.build().fill(seen, null)).isTrue();
        assertThat(seen.names).hasSize(names.size());
        for (int i = 0; i < names.size(); i++) { // in the charset jnr-fuse decodes paths with, whatever the locale
            assertThat(seen.names.get(i)).containsExactly(names.get(i).getBytes(Charset.defaultCharset()));
        }
    }

    @Test
    void aNameReadFromNativeMemory_keepsItsExactBytes_evenWhenNotValidInAnyCharset() {
        byte[] raw = {'a', (byte) 0xff, (byte) 0xc3, 'b'}; // not UTF-8: a String would replace two bytes
        Pointer p = Memory.allocateDirect(Runtime.getSystemRuntime(), 32, true);
        for (int i = 0; i < 32; i++) {
            p.putByte(i, (byte) 'x'); // no zero but the name's own NUL: a name read too long would show
        }
        p.put(7, raw, 0, raw.length); // at an offset, as d_name is in a dirent
        p.putByte(7 + raw.length, (byte) 0);
        DirNames d = new DirNames.Builder().add(p, 7).build();
        Seen seen = new Seen(Integer.MAX_VALUE);
        d.fill(seen, null);
        assertThat(seen.names).hasSize(1);
        assertThat(seen.names.get(0)).containsExactly(raw);
    }

    @Test
    void manyNames_growTheBuffer_andWithoutDropsOneName() {
        DirNames.Builder b = new DirNames.Builder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            String n = "name-" + i;
            b.add(n);
            expected.add(n);
        }
        DirNames all = b.build();
        assertThat(all.size()).isEqualTo(5_000);
        assertThat(all.name(4_999)).isEqualTo("name-4999");
        DirNames without = all.without(2);
        expected.remove(2);
        Seen seen = new Seen(Integer.MAX_VALUE);
        without.fill(seen, null);
        assertThat(seen.names).extracting(String::new).containsExactlyElementsOf(expected);
        Seen again = new Seen(Integer.MAX_VALUE);
        all.fill(again, null);
        assertThat(again.names).hasSize(5_000); // the shared bytes are unchanged
    }

    @Test
    void aFillerThatRefuses_stopsTheFill_andItSaysSo() {
        DirNames d = new DirNames.Builder().add("a").add("b").add("c").build();
        Seen seen = new Seen(1);
        assertThat(d.fill(seen, null)).isFalse();
        assertThat(seen.names).hasSize(2);
    }

    @Test
    void anEmptyListing_fillsNothing() {
        Seen seen = new Seen(Integer.MAX_VALUE);
        assertThat(new DirNames.Builder().build().fill(seen, null)).isTrue();
        assertThat(seen.names).isEmpty();
    }
}
