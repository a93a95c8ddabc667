package io.zproj.zfs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Builds file trees with known content and describes trees for comparison. */
public final class Trees {

    private Trees() {}

    /**
     * Writes a tree of {@code files} files of pseudo-random content (seeded, so reproducible) in
     * nested directories, one large file of {@code bigBytes}, and a symlink.
     */
    public static void populate(Path root, long seed, int files, int bigBytes) throws IOException {
        Random random = new Random(seed);
        for (int i = 0; i < files; i++) {
            Path dir = root.resolve("d" + (i % 7)).resolve("e" + (i % 3));
            Files.createDirectories(dir);
            byte[] data = new byte[random.nextInt(20_000)];
            random.nextBytes(data);
            Files.write(dir.resolve("f" + i + ".bin"), data);
        }
        byte[] big = new byte[bigBytes];
        random.nextBytes(big);
        Files.write(root.resolve("big.bin"), big);
        Files.createSymbolicLink(root.resolve("link-to-big"), Path.of("big.bin"));
        Files.setPosixFilePermissions(root.resolve("d0"), PosixFilePermissions.fromString("rwxr-x---"));
    }

    /** Mounts {@code dataset} at {@code mountpoint}, describes its tree, and unmounts it. */
    public static Map<String, String> describe(io.zproj.zfs.Zfs zfs, io.zproj.zfs.DatasetName dataset, Path mountpoint)
            throws IOException {
        zfs.mount(dataset, mountpoint);
        try {
            return describe(mountpoint);
        } finally {
            zfs.unmount(dataset);
        }
    }

    /**
     * A description of every entry under {@code root} by relative path: type, permissions,
     * size and SHA-256 for files, target for symlinks. Equal trees have equal descriptions.
     */
    public static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty()) {
                    continue;
                }
                String perms = PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link -> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    out.put(rel, "dir " + perms);
                } else {
                    out.put(rel, "file " + perms + " " + Files.size(p) + " " + sha256(p));
                }
            }
        }
        return out;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
