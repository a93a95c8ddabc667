package io.zproj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What /proc/mounts says, and lazy unmounts of leftovers. */
final class Mounts {

    private Mounts() {}

    static boolean isMounted(Path mountpoint) throws IOException {
        String want = mountpoint.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 1 && f[1].replace("\\040", " ").equals(want)) {
                return true;
            }
        }
        return false;
    }

    /** Mountpoints under a directory, deepest first. */
    static List<Path> under(Path dir) throws IOException {
        String prefix = dir.toAbsolutePath().normalize() + "/";
        return Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" "))
                .filter(f -> f.length > 1 && f[1].startsWith(prefix)).map(f -> Path.of(f[1]))
                .sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
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
