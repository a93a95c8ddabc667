package io.zproj.transport.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * A value read from a file and read again when the file changes (its modification time,
 * size or inode), checked on every {@link #get()}: a revocation list or an allow list takes
 * effect on the next connection or request, without a restart. A file that cannot be read or
 * parsed fails every {@code get()} until it is fixed: a broken revocation list refuses
 * everyone rather than let a revoked peer in.
 */
public final class ReloadingFile<T> {

    /** Reads the file's value. */
    @FunctionalInterface
    public interface Loader<T> {
        T load(Path file) throws IOException;
    }

    private record Version(Object key, long modified, long size) {}

    private final Path file;
    private final Loader<T> loader;
    private Version version;
    private T value;
    private IOException failure;

    public ReloadingFile(Path file, Loader<T> loader) {
        this.file = Objects.requireNonNull(file);
        this.loader = Objects.requireNonNull(loader);
    }

    public Path file() {
        return file;
    }

    /** The current value. @throws IOException if the file is missing or bad now */
    public synchronized T get() throws IOException {
        Version now;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            now = new Version(a.fileKey(), a.lastModifiedTime().toMillis(), a.size());
        } catch (IOException e) {
            version = null;
            failure = new IOException("cannot read " + file + ": " + e.getMessage(), e);
            throw failure;
        }
        if (!now.equals(version)) {
            version = now;
            try {
                value = loader.load(file);
                failure = null;
            } catch (IOException | RuntimeException e) {
                value = null;
                failure = new IOException("cannot use " + file + ": " + e.getMessage(), e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return value;
    }
}
