package io.zproj.cache;

import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * The cache's durable state in RocksDB: per project, whether some replica may still lack its
 * newest snapshot, and when it was last opened. What the local copy holds, and whether it
 * changed, is ZFS's to say. Thread-safe.
 */
final class CacheState implements AutoCloseable {

    /**
     * One project's record.
     *
     * @param unsynced some replica did not ack the newest snapshot: written back at the next start
     */
    record Entry(boolean unsynced, long lastAccessMillis) {}

    static {
        RocksDB.loadLibrary();
    }

    private final Options options;
    private final RocksDB db;
    private final WriteOptions sync = new WriteOptions().setSync(true);

    private CacheState(Options options, RocksDB db) {
        this.options = options;
        this.db = db;
    }

    static CacheState open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Options options = new Options().setCreateIfMissing(true);
        try {
            return new CacheState(options, RocksDB.open(options, dir.toString()));
        } catch (RocksDBException e) {
            options.close();
            throw new IOException("cannot open the cache state in " + dir + ": " + e.getMessage(), e);
        }
    }

    void put(ProjectId id, Entry e) throws IOException {
        ByteBuffer v = ByteBuffer.allocate(9).put((byte) (e.unsynced() ? 1 : 0))
                .putLong(e.lastAccessMillis());
        try {
            db.put(sync, key(id), v.array());
        } catch (RocksDBException ex) {
            throw new IOException("cannot write the cache state: " + ex.getMessage(), ex);
        }
    }

    void remove(ProjectId id) throws IOException {
        try {
            db.delete(sync, key(id));
        } catch (RocksDBException ex) {
            throw new IOException("cannot write the cache state: " + ex.getMessage(), ex);
        }
    }

    Map<ProjectId, Entry> all() {
        Map<ProjectId, Entry> out = new HashMap<>();
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                ByteBuffer k = ByteBuffer.wrap(it.key());
                ByteBuffer v = ByteBuffer.wrap(it.value());
                if (k.remaining() == 16 && v.remaining() == 9) {
                    byte flags = v.get();
                    out.put(new ProjectId(new UUID(k.getLong(), k.getLong())),
                            new Entry((flags & 1) != 0, v.getLong()));
                }
            }
        }
        return out;
    }

    private static byte[] key(ProjectId id) {
        return ByteBuffer.allocate(16).putLong(id.uuid().getMostSignificantBits())
                .putLong(id.uuid().getLeastSignificantBits()).array();
    }

    @Override
    public void close() {
        sync.close();
        db.close();
        options.close();
    }
}
