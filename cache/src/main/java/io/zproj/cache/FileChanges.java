package io.zproj.cache;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed in a project since a snapshot, by comparing the snapshot's tree with the live one
 * (zfs-fuse has no {@code zfs diff}): a path present only now is added, one present only then is
 * removed, one whose type, size, modification or change time differs is changed. Content is not
 * read, so it costs a walk of both trees.
 */
final class FileChanges {

    enum Kind {
        ADDED, CHANGED, REMOVED;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One changed path ({@code /}-separated, relative to the project's top).
     *
     * @param when the newer of its modification and change times now; for a removed path, its
     *             modification time in the snapshot (when it was last seen changed)
     */
    record Change(String path, Kind kind, Instant when, long sizeBytes, boolean directory) {}

    private record Entry(boolean directory, boolean link, long size, FileTime modified, Instant changedOrModified) {}

    private FileChanges() {}

    /**
     * The paths that differ between {@code then} (a snapshot's tree) and {@code now} (the live
     * tree), those added or changed only if their time is at or after {@code since}; newest
     * first.
     */
    static List<Change> between(Path then, Path now, Instant since) throws IOException {
        Map<String, Entry> before = walk(then);
        Map<String, Entry> after = walk(now);
        List<Change> out = new ArrayList<>();
        for (Map.Entry<String, Entry> e : after.entrySet()) {
            Entry a = e.getValue();
            Entry b = before.get(e.getKey());
            Kind kind = b == null ? Kind.ADDED
                    : b.directory() != a.directory() || b.link() != a.link()
                            || !a.directory() && (b.size() != a.size() || !b.modified().equals(a.modified())
                                    || !b.changedOrModified().equals(a.changedOrModified()))
                            ? Kind.CHANGED : null; // a directory whose entries changed is not listed itself
            if (kind != null && !a.changedOrModified().isBefore(since)) {
                out.add(new Change(e.getKey(), kind, a.changedOrModified(), a.size(), a.directory()));
            }
        }
        for (Map.Entry<String, Entry> e : before.entrySet()) {
            if (!after.containsKey(e.getKey())) {
                Entry b = e.getValue();
                out.add(new Change(e.getKey(), Kind.REMOVED, b.modified().toInstant(), b.size(), b.directory()));
            }
        }
        out.sort(Comparator.comparing(Change::when).reversed().thenComparing(Change::path));
        return out;
    }

    /** Every path under {@code top} (not {@code top} itself) with what is compared; links are not followed. */
    private static Map<String, Entry> walk(Path top) throws IOException {
        Map<String, Entry> out = new HashMap<>();
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(top)) {
                    try {
                        out.put(relative(top, dir), entry(dir, attrs));
                    } catch (java.nio.file.NoSuchFileException e) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                try {
                    out.put(relative(top, file), entry(file, attrs));
                } catch (java.nio.file.NoSuchFileException e) {
                    // removed while the tree was walked: not there now
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // vanished or unreadable: left out, not the whole answer
            }
        });
        return out;
    }

    private static String relative(Path top, Path p) {
        return top.relativize(p).toString();
    }

    private static Entry entry(Path p, BasicFileAttributes attrs) throws IOException {
        FileTime ctime = (FileTime) Files.getAttribute(p, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
        Instant newer = ctime.compareTo(attrs.lastModifiedTime()) > 0 ? ctime.toInstant()
                : attrs.lastModifiedTime().toInstant();
        return new Entry(attrs.isDirectory(), attrs.isSymbolicLink(), attrs.size(), attrs.lastModifiedTime(), newer);
    }
}
