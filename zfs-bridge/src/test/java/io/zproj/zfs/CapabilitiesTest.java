package io.zproj.zfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CapabilitiesTest {

    private static String resource(String name) throws IOException {
        try (InputStream in = CapabilitiesTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The usage texts zfs-fuse 0.7 prints on this machine, captured verbatim. */
    @Test
    void parse_zfsFuseUsage_findsNoneOfTheOpenZfsFeatures() throws IOException {
        Capabilities caps = Capabilities.parse(resource("zfs-fuse-usage.txt"), resource("zfs-fuse-get.txt"),
                resource("zfs-fuse-zpool-usage.txt"));
        assertThat(caps).isEqualTo(new Capabilities(false, false, false, false, false, false, false, false));
        assertThat(caps.describe()).startsWith("has [], lacks [zfs diff, written property, lz4,");
    }

    /** Lines in the shape OpenZFS 2.x prints them. */
    @Test
    void parse_openZfsUsage_findsEveryFeature() {
        String zfs = "usage: zfs command args ...\n"
                + "\tlist [-Hp] [-r|-d max] [-o property[,...]] [-s property]...\n"
                + "\t    [-S property]... [-t type[,...]] [filesystem|volume|snapshot] ...\n"
                + "\treceive [-vMnsFhu] [-o <property>=<value>] ... [-x <property>] ...\n"
                + "\t    <filesystem|volume|snapshot>\n"
                + "\treceive -A <filesystem|volume>\n"
                + "\tdiff [-FHth] <snapshot> [snapshot|filesystem]\n";
        String props = "\tPROPERTY       EDIT  INHERIT   VALUES\n"
                + "\twritten          NO       NO   <size>\n"
                + "\tcompression     YES      YES   on | off | lzjb | gzip | gzip-[1-9] | zle | lz4 | zstd\n";
        String zpool = "\timport [-d dir] [-D]\n"
                + "\timport [-o mntopts] [-o property=value] ... \n"
                + "\t    [-d dir | -c cachefile] [-D] [-l] [-f] [-m] [-N] [-R root] [-F [-n]] -a\n"
                + "\tlist [-gHLpPv] [-o property[,...]] [-T d|u] [pool] ... \n";
        assertThat(Capabilities.parse(zfs, props, zpool))
                .isEqualTo(new Capabilities(true, true, true, true, true, true, true, true));
    }

    @Test
    void parse_minusNOutsideImport_isNotImportNoMount() {
        String zpool = "\timport [-d dir] [-D]\n\tcreate [-N] pool\n";
        assertThat(Capabilities.parse("", "", zpool).importNoMount()).isFalse();
    }
}
