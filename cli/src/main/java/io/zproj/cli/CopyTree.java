package io.zproj.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Copies a directory tree (files with their attributes, directories, symlinks as links), for seeding projects. */
public final class CopyTree {

    private CopyTree() {}

    /**
     * Copies {@code from} into {@code to}, skipping every path whose relative name {@code skip}
     * accepts (and, for a directory, what lies under it when {@code skip} accepts those too).
     */
    public static void copy(Path from, Path to, Predicate<String> skip) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                String rel = from.relativize(p).toString();
                if (skip.test(rel)) {
                    continue;
                }
                Path target = to.resolve(rel);
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (Files.isRegularFile(p)) {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
