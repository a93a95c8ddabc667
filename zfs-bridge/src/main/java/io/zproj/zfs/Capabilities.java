package io.zproj.zfs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the host's ZFS supports, found once by reading the usage texts that {@code zfs} and
 * {@code zpool} print (no pool needed). zfs-fuse (pool version 23) lacks all but the basics;
 * OpenZFS has them all. The bridge chooses its path by these flags.
 *
 * @param zfsDiff            {@code zfs diff}
 * @param writtenProperty    the {@code written} property
 * @param lz4Compression     {@code compression=lz4}; otherwise {@code on} (lzjb) is used
 * @param importNoMount      {@code zpool import -N}; otherwise datasets rely on {@code canmount=noauto}
 * @param zfsListParsable    {@code zfs list -p}; otherwise exact numbers come from {@code zfs get -H -p}
 * @param zpoolListParsable  {@code zpool list -p}; otherwise pool sizes are rounded as zpool prints them
 * @param resumableReceive   {@code zfs receive -s} and resume tokens
 * @param receiveNoMount     {@code zfs receive -u}
 */
public record Capabilities(
        boolean zfsDiff,
        boolean writtenProperty,
        boolean lz4Compression,
        boolean importNoMount,
        boolean zfsListParsable,
        boolean zpoolListParsable,
        boolean resumableReceive,
        boolean receiveNoMount) {

    /**
     * Reads the capabilities from usage texts.
     *
     * @param zfsUsage      what {@code zfs -?} prints
     * @param zfsProperties what {@code zfs get} without arguments prints (its property table)
     * @param zpoolUsage    what {@code zpool -?} prints
     */
    static Capabilities parse(String zfsUsage, String zfsProperties, String zpoolUsage) {
        return new Capabilities(
                find(zfsUsage, "^\\s+diff\\b"),
                find(zfsProperties, "^\\s+written\\s"),
                find(zfsProperties, "^\\s+compression\\s.*\\blz4\\b"),
                find(section(zpoolUsage, "import"), "-N\\b"),
                find(zfsUsage, "^\\s+list \\[-[a-zA-Z]*p"),
                find(zpoolUsage, "^\\s+list \\[-[a-zA-Z]*p"),
                find(section(zfsUsage, "receive"), "^\\s+receive \\[-[a-zA-Z]*s|receive -A"),
                find(section(zfsUsage, "receive"), "^\\s+receive \\[-[a-zA-Z]*u"));
    }

    private static boolean find(String text, String regex) {
        return Pattern.compile(regex, Pattern.MULTILINE).matcher(text).find();
    }

    /** The lines of one subcommand's usage: its lines and their continuation lines. */
    private static String section(String usage, String subcommand) {
        StringBuilder sb = new StringBuilder();
        boolean in = false;
        Pattern start = Pattern.compile("^\\t" + subcommand + "\\b");
        for (String line : usage.split("\n")) {
            if (start.matcher(line).find()) {
                in = true;
            } else if (!line.startsWith("\t ") && !line.startsWith("        ")) {
                in = false;
            }
            if (in) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    /** One line for a log: which features are present and which are missing. */
    public String describe() {
        List<String> have = new ArrayList<>();
        List<String> lack = new ArrayList<>();
        (zfsDiff ? have : lack).add("zfs diff");
        (writtenProperty ? have : lack).add("written property");
        (lz4Compression ? have : lack).add("lz4");
        (importNoMount ? have : lack).add("zpool import -N");
        (zfsListParsable ? have : lack).add("zfs list -p");
        (zpoolListParsable ? have : lack).add("zpool list -p");
        (resumableReceive ? have : lack).add("resumable receive");
        (receiveNoMount ? have : lack).add("zfs receive -u");
        return "has [" + String.join(", ", have) + "], lacks [" + String.join(", ", lack) + "]";
    }
}
