package io.zproj.fusefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The same sequence of file operations, run in any directory, each step's result or error
 * written down: run it on a plain dataset and under the mount, and the two lists must match.
 */
final class Script {

    private Script() {}

    @FunctionalInterface
    interface Step {
        Object run(Path dir) throws Exception;
    }

    static List<String> run(Path dir) throws InterruptedException {
        List<String> out = new ArrayList<>();
        List<Object[]> steps = steps();
        for (Object[] s : steps) {
            String name = (String) s[0];
            Step step = (Step) s[1];
            String result;
            try {
                result = String.valueOf(step.run(dir));
            } catch (FileSystemException e) {
                result = e.getClass().getSimpleName() + ": " + e.getReason();
            } catch (Exception e) {
                result = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            out.add(name + " -> " + result);
        }
        return out;
    }

    private static Object[] step(String name, Step s) {
        return new Object[] {name, s};
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p);
    }

    private static List<Object[]> steps() {
        return List.of(
                step("mkdir a", d -> Files.createDirectory(d.resolve("a")).getFileName()),
                step("mkdir a again", d -> Files.createDirectory(d.resolve("a"))),
                step("write a/f", d -> Files.writeString(d.resolve("a/f"), "hello").getFileName()),
                step("read a/f", d -> read(d.resolve("a/f"))),
                step("read missing", d -> read(d.resolve("a/missing"))),
                step("create existing exclusively", d -> Files.newByteChannel(d.resolve("a/f"),
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)),
                step("append", d -> Files.writeString(d.resolve("a/f"), " world", StandardOpenOption.APPEND)
                        .getFileName()),
                step("size", d -> Files.size(d.resolve("a/f"))),
                step("ftruncate + fsync", d -> {
                    try (FileChannel c = FileChannel.open(d.resolve("a/f"), StandardOpenOption.WRITE)) {
                        c.truncate(5);
                        c.force(true);
                    }
                    return read(d.resolve("a/f"));
                }),
                step("positional reads and writes", d -> {
                    Path p = d.resolve("a/big");
                    byte[] data = new byte[1 << 20];
                    for (int i = 0; i < data.length; i++) {
                        data[i] = (byte) (i * 31 + i / 1000);
                    }
                    Files.write(p, data);
                    try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                        c.write(ByteBuffer.wrap("XYZ".getBytes(StandardCharsets.US_ASCII)), 700_001);
                        ByteBuffer b = ByteBuffer.allocate(10);
                        c.read(b, 700_000);
                        return new String(b.array(), StandardCharsets.ISO_8859_1).hashCode() + "/" + c.size();
                    }
                }),
                step("rename into missing dir", d -> Files.move(d.resolve("a/f"), d.resolve("b/f"))),
                step("mkdir b", d -> Files.createDirectory(d.resolve("b")).getFileName()),
                step("rename across dirs", d -> Files.move(d.resolve("a/f"), d.resolve("b/f")).getFileName()),
                step("write b/g", d -> Files.writeString(d.resolve("b/g"), "gee").getFileName()),
                step("rename over existing", d -> Files.move(d.resolve("b/f"), d.resolve("b/g"),
                        StandardCopyOption.REPLACE_EXISTING).getFileName()),
                step("read b/g", d -> read(d.resolve("b/g"))),
                step("symlink", d -> Files.createSymbolicLink(d.resolve("l"), Path.of("b/g")).getFileName()),
                step("readlink", d -> Files.readSymbolicLink(d.resolve("l"))),
                step("read through link", d -> read(d.resolve("l"))),
                step("symlink exists", d -> Files.createSymbolicLink(d.resolve("l"), Path.of("x"))),
                step("hard link", d -> Files.createLink(d.resolve("b/h"), d.resolve("b/g")).getFileName()),
                // through the new name: the other name's count shows within the attribute timeout (see ProjectsMount)
                step("link count", d -> Files.getAttribute(d.resolve("b/h"), "unix:nlink")),
                step("chmod 640", d -> {
                    Files.setPosixFilePermissions(d.resolve("b/g"), PosixFilePermissions.fromString("rw-r-----"));
                    return PosixFilePermissions.toString(Files.getPosixFilePermissions(d.resolve("b/g")));
                }),
                step("chown 1234:4321", d -> {
                    Files.setAttribute(d.resolve("b/g"), "unix:uid", 1234);
                    Files.setAttribute(d.resolve("b/g"), "unix:gid", 4321);
                    return Files.getAttribute(d.resolve("b/g"), "unix:uid") + ":"
                            + Files.getAttribute(d.resolve("b/g"), "unix:gid");
                }),
                step("utimens", d -> {
                    Files.setLastModifiedTime(d.resolve("b/g"), FileTime.fromMillis(1_000_000_000_000L));
                    return Files.getLastModifiedTime(d.resolve("b/g")).toMillis();
                }),
                step("lutimens on a symlink", d -> {
                    Files.getFileAttributeView(d.resolve("l"), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                            .setTimes(FileTime.fromMillis(2_000_000_000_000L), null, null);
                    return Files.getLastModifiedTime(d.resolve("l"), LinkOption.NOFOLLOW_LINKS).toMillis();
                }),
                step("rmdir non-empty", d -> {
                    Files.delete(d.resolve("b"));
                    return "deleted";
                }),
                step("unlink", d -> {
                    Files.delete(d.resolve("b/h"));
                    return Files.exists(d.resolve("b/h"));
                }),
                step("xattr write and read", d -> {
                    UserDefinedFileAttributeView v = Files.getFileAttributeView(d.resolve("b/g"),
                            UserDefinedFileAttributeView.class);
                    v.write("zproj", ByteBuffer.wrap(new byte[] {1, 2, 3}));
                    return v.list() + "/" + v.size("zproj");
                }),
                step("big directory", d -> {
                    Path big = Files.createDirectory(d.resolve("many"));
                    for (int i = 0; i < 2500; i++) {
                        Files.createFile(big.resolve("file-" + i));
                    }
                    try (Stream<Path> s = Files.list(big)) {
                        return s.map(p -> p.getFileName().toString()).sorted().toList().hashCode();
                    }
                }),
                step("delete missing", d -> {
                    Files.delete(d.resolve("nope"));
                    return "deleted";
                }),
                step("listing", d -> {
                    try (Stream<Path> s = Files.walk(d)) {
                        return s.filter(p -> !p.startsWith(d.resolve("many"))).map(p -> d.relativize(p).toString())
                                .sorted().toList();
                    }
                }));
    }
}
