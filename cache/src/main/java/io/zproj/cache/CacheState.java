package io.zproj.cache;

import io.zproj.transport.LocalStore;
import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

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

    private final LocalStore store;

    private CacheState(LocalStore store) {
        this.store = store;
    }

    static CacheState open(Path dir) throws IOException {
        return new CacheState(LocalStore.open(dir, "the cache state"));
    }

    void put(ProjectId id, Entry e) throws IOException {
        store.put(id.bytes(), ByteBuffer.allocate(9).put((byte) (e.unsynced() ? 1 : 0)).putLong(e.lastAccessMillis()).array());
    }

    void remove(ProjectId id) throws IOException {
        store.delete(id.bytes());
    }

    Map<ProjectId, Entry> all() throws IOException {
        Map<ProjectId, Entry> out = new HashMap<>();
        store.forEach(new byte[0], (k, value) -> {
            if (k.length == 16 && value.length == 9) {
                ByteBuffer v = ByteBuffer.wrap(value);
                byte flags = v.get();
                out.put(ProjectId.fromBytes(k, 0), new Entry((flags & 1) != 0, v.getLong()));
            }
        });
        return out;
    }

    @Override
    public void close() {
        store.close();
    }
}
