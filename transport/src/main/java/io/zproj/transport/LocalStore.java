package io.zproj.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * A node's durable local state in RocksDB: the server's catalog and the cache's state both keep
 * theirs here. Every write is synced before it returns; a failure is an {@link IOException}
 * naming the store. Keys of projects are {@link io.zproj.zfs.ProjectId#bytes()}. Thread-safe.
 */
public final class LocalStore implements AutoCloseable {

    static {
        RocksDB.loadLibrary();
    }

    /** What a key and its value are handed to. */
    public interface Visitor {
        void visit(byte[] key, byte[] value);
    }

    private final String what;
    private final Options options;
    private final RocksDB db;
    private final WriteOptions sync = new WriteOptions().setSync(true);
    /** Calls share it, close takes it alone: RocksDB used after close crashes the process, so it is refused instead. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock open = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private boolean closed;

    private LocalStore(String what, Options options, RocksDB db) {
        this.what = what;
        this.options = options;
        this.db = db;
    }

    /** Opens (or creates) the store in {@code dir}; {@code what} names it in errors ("the catalog"). */
    public static LocalStore open(Path dir, String what) throws IOException {
        Files.createDirectories(dir);
        Options options = new Options().setCreateIfMissing(true);
        try {
            return new LocalStore(what, options, RocksDB.open(options, dir.toString()));
        } catch (RocksDBException e) {
            options.close();
            throw new IOException("cannot open " + what + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    public void put(byte[] key, byte[] value) throws IOException {
        enter();
        try {
            db.put(sync, key, value);
        } catch (RocksDBException e) {
            throw new IOException("cannot write " + what + ": " + e.getMessage(), e);
        } finally {
            open.readLock().unlock();
        }
    }

    public void delete(byte[] key) throws IOException {
        enter();
        try {
            db.delete(sync, key);
        } catch (RocksDBException e) {
            throw new IOException("cannot write " + what + ": " + e.getMessage(), e);
        } finally {
            open.readLock().unlock();
        }
    }

    /** Takes the shared lock, or fails if the store is closed. */
    private void enter() throws IOException {
        open.readLock().lock();
        if (closed) {
            open.readLock().unlock();
            throw new IOException(what + " is closed");
        }
    }

    /** Every entry whose key starts with {@code prefix} (all of them for an empty one), in key order. */
    public void forEach(byte[] prefix, Visitor visitor) throws IOException {
        enter();
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (k.length < prefix.length || !Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
                    return;
                }
                visitor.visit(k, it.value());
            }
            it.status(); // a read error, not the end of the data
        } catch (RocksDBException e) {
            throw new IOException("cannot read " + what + ": " + e.getMessage(), e);
        } finally {
            open.readLock().unlock();
        }
    }

    @Override
    public void close() {
        open.writeLock().lock(); // waits for calls in flight
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            open.writeLock().unlock();
        }
        sync.close();
        db.close();
        options.close();
    }
}
