package io.zproj.zfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mounts this process sees, read from {@code /proc/self/mountinfo}: the one reader of the
 * mount table in zproj. Paths are unescaped ({@code \040} is a space, as the kernel writes it).
 */
public final class MountTable {

    /** One mount: where it is, its filesystem type ({@code fuse.zproj}, {@code fuse.zfs}, ...), source and options. */
    public record Mount(Path mountpoint, String fsType, String source, String options, String device) {

        /** Whether the mount has an option ({@code nosuid}, {@code nodev}, ...) among its per-mount options. */
        public boolean has(String option) {
            return List.of(options.split(",")).contains(option);
        }
    }

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountTable() {}

    /** Every mount, in the kernel's order (a mount on top of another comes after it). */
    public static List<Mount> read() throws IOException {
        return parse(Files.readAllLines(MOUNTINFO));
    }

    /** Parses mountinfo lines: {@code id parent major:minor root mountpoint options [optional...] - type source super}. */
    static List<Mount> parse(List<String> lines) {
        List<Mount> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length < 7 || dash < 6 || dash + 2 >= f.length) {
                continue;
            }
            out.add(new Mount(Path.of(unescape(f[4])), f[dash + 1], unescape(f[dash + 2]), f[5], f[2]));
        }
        return out;
    }

    /** The topmost mount exactly at {@code mountpoint}, if any. */
    public static Optional<Mount> at(Path mountpoint) throws IOException {
        Mount found = null;
        for (Mount m : read()) {
            if (m.mountpoint().equals(mountpoint)) {
                found = m;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Whether anything is mounted exactly at {@code mountpoint}. */
    public static boolean isMounted(Path mountpoint) {
        try {
            return at(mountpoint).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /** The mounts strictly below {@code dir}, deepest first (the order to unmount them in). */
    public static List<Mount> below(Path dir) throws IOException {
        List<Mount> out = new ArrayList<>();
        for (Mount m : read()) {
            if (m.mountpoint().startsWith(dir) && !m.mountpoint().equals(dir)) {
                out.add(m);
            }
        }
        out.sort((a, b) -> Integer.compare(b.mountpoint().getNameCount(), a.mountpoint().getNameCount()));
        return out;
    }

    /** Undoes the kernel's octal escapes of space, tab, newline and backslash. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
