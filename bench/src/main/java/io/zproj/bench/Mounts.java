package io.zproj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What /proc/mounts says, and lazy unmounts of leftovers. */
final class Mounts {

    private static final Pattern ESCAPE = Pattern.compile("\\\\([0-7]{3})");

    private Mounts() {}

    static boolean isMounted(Path mountpoint) throws IOException {
        String want = mountpoint.toAbsolutePath().normalize().toString();
        return mountpoints().anyMatch(want::equals);
    }

    /** Mountpoints under a directory (not the directory itself), deepest first. */
    static List<Path> under(Path dir) throws IOException {
        String prefix = dir.toAbsolutePath().normalize() + "/";
        return mountpoints().filter(m -> m.startsWith(prefix)).map(Path::of)
                .sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
    }

    private static Stream<String> mountpoints() throws IOException {
        return Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" "))
                .filter(f -> f.length > 1).map(f -> unescape(f[1]));
    }

    /** /proc/mounts writes space, tab, newline and backslash as octal escapes. */
    static String unescape(String s) {
        Matcher m = ESCAPE.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(m.group(1), 8))));
        }
        return m.appendTail(out).toString();
    }

    /** Detaches a mount even if it is busy or its FUSE daemon is gone; never throws. */
    static void unmountLazily(Path mountpoint) {
        try {
            if (Sh.runAllowingFailure(Duration.ofSeconds(30), "umount", "-l", mountpoint.toString()).exitCode() != 0) {
                Sh.runAllowingFailure(Duration.ofSeconds(30), "fusermount", "-u", "-z", mountpoint.toString());
            }
        } catch (IOException e) {
            Suite.warn("could not unmount " + mountpoint + ": " + e.getMessage());
        }
    }
}
