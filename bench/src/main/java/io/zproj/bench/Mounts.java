package io.zproj.bench;

import io.zproj.zfs.MountTable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What the mount table says ({@link MountTable}, the one reader), and lazy unmounts of leftovers. */
final class Mounts {

    private Mounts() {}

    static boolean isMounted(Path mountpoint) throws IOException {
        return MountTable.at(mountpoint.toAbsolutePath().normalize()).isPresent();
    }

    /** Mountpoints under a directory (not the directory itself), deepest first. */
    static List<Path> under(Path dir) throws IOException {
        return MountTable.below(dir.toAbsolutePath().normalize()).stream().map(MountTable.Mount::mountpoint).toList();
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
