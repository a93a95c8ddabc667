package io.zproj.cache;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which processes use a directory tree: their current directory, root or an open file is in
 * it. Read from {@code /proc}, so it sees every process of the host, whichever mount (the
 * native mount or the FUSE directory beneath it) they entered by. Used to say why a project
 * cannot be unmounted, and to refuse evicting one that is in use.
 */
final class Holders {

    private static final Path PROC = Path.of("/proc");

    private Holders() {}

    /** One line per process that uses {@code dir}, e.g. {@code pid 4242 (bash): cwd /projects/<uuid>/src}. */
    static List<String> of(Path dir) {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                String use = use(proc, dir);
                if (use != null) {
                    out.add("pid " + proc.getFileName() + " (" + comm(proc) + "): " + use);
                }
            }
        } catch (IOException e) {
            out.add("cannot read /proc: " + e.getMessage());
        }
        return out;
    }

    private static String use(Path proc, Path dir) {
        for (String link : List.of("cwd", "root")) {
            Path target = target(proc.resolve(link));
            if (target != null && target.startsWith(dir)) {
                return link + " " + target;
            }
        }
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                Path target = target(fd);
                if (target != null && target.startsWith(dir)) {
                    return "open file " + target;
                }
            }
        } catch (IOException | SecurityException e) {
            return null; // gone, or not ours to see
        }
        return null;
    }

    private static Path target(Path link) {
        try {
            String t = Files.readSymbolicLink(link).toString();
            return t.startsWith("/") ? Path.of(t.endsWith(" (deleted)") ? t.substring(0, t.length() - 10) : t) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String comm(Path proc) {
        try {
            return Files.readString(proc.resolve("comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
