package io.zproj.server;

import io.zproj.transport.LocalStore;
import io.zproj.transport.SnapshotEntry;
import io.zproj.zfs.ProjectId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The server's index of its projects in RocksDB, keyed by project UUID (16 bytes). ZFS is the
 * truth: the server rebuilds this from ZFS at start and on every rescan; what only the
 * catalog knows is who wrote each project last, and when, and which snapshot each peer is based
 * on (the one the server holds for it: key {@code 'H' + uuid + peer name}). Thread-safe.
 */
final class Catalog implements AutoCloseable {

    private static final int FORMAT = 1;

    private final LocalStore store;

    private Catalog(LocalStore store) {
        this.store = store;
    }

    /** Opens (or creates) the catalog in {@code dir}. */
    static Catalog open(Path dir) throws IOException {
        return new Catalog(LocalStore.open(dir, "the catalog"));
    }

    void put(CatalogEntry e) throws IOException {
        store.put(e.id().bytes(), encode(e));
    }

    void remove(ProjectId id) throws IOException {
        store.delete(id.bytes());
    }

    /** Every entry; an entry that does not decode (an older format, damage) is skipped, to be rebuilt from ZFS. */
    List<CatalogEntry> all() throws IOException {
        List<CatalogEntry> out = new ArrayList<>();
        store.forEach(new byte[0], (key, value) -> {
            try {
                out.add(decode(key, value));
            } catch (IOException | RuntimeException e) {
                // rebuilt from ZFS by the next rescan
            }
        });
        return out;
    }

    /** The snapshot a peer is based on, held for it; {@code seenMillis}: when a transfer last confirmed it. */
    record Hold(ProjectId id, String peer, String snapshot, long guid, long seenMillis) {}

    private static final byte HOLD = 'H';

    void putHold(Hold h) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            writeString(out, h.snapshot());
            out.writeLong(h.guid());
            out.writeLong(h.seenMillis());
        }
        store.put(holdKey(h.id(), h.peer()), bytes.toByteArray());
    }

    void removeHold(ProjectId id, String peer) throws IOException {
        store.delete(holdKey(id, peer));
    }

    /** Every peer's hold, of every project; one that does not decode is skipped. */
    List<Hold> holds() throws IOException {
        return holdsFrom(new byte[] {HOLD});
    }

    /** The holds of one project's peers (a seek to its keys, not a scan of all). */
    List<Hold> holds(ProjectId id) throws IOException {
        byte[] prefix = new byte[17];
        prefix[0] = HOLD;
        System.arraycopy(id.bytes(), 0, prefix, 1, 16);
        return holdsFrom(prefix);
    }

    private List<Hold> holdsFrom(byte[] prefix) throws IOException {
        List<Hold> out = new ArrayList<>();
        store.forEach(prefix, (k, value) -> {
            if (k.length <= 17) {
                return;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
                if (in.readByte() != FORMAT) {
                    return;
                }
                String peer = new String(k, 17, k.length - 17, StandardCharsets.UTF_8);
                out.add(new Hold(ProjectId.fromBytes(k, 1), peer, readString(in), in.readLong(), in.readLong()));
            } catch (IOException | RuntimeException e) {
                // a damaged record: its hold is found again by the peer's next transfer
            }
        });
        return out;
    }

    private static byte[] holdKey(ProjectId id, String peer) {
        byte[] name = peer.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[17 + name.length];
        k[0] = HOLD;
        System.arraycopy(id.bytes(), 0, k, 1, 16);
        System.arraycopy(name, 0, k, 17, name.length);
        return k;
    }

    static byte[] encode(CatalogEntry e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeBoolean(e.newest().isPresent());
            if (e.newest().isPresent()) {
                SnapshotEntry s = e.newest().get();
                writeString(out, s.name());
                out.writeLong(s.guid());
                out.writeLong(s.createTxg());
                out.writeLong(s.creationEpochSecond());
            }
            out.writeLong(e.usedBytes());
            out.writeLong(e.quotaBytes());
            out.writeLong(e.lastWriteBackMillis());
            writeString(out, e.writer());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    static CatalogEntry decode(byte[] key, byte[] value) throws IOException {
        if (key.length != 16) {
            throw new IOException("bad key");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            if (in.readByte() != FORMAT) {
                throw new IOException("unknown catalog format");
            }
            Optional<SnapshotEntry> newest = in.readBoolean()
                    ? Optional.of(new SnapshotEntry(readString(in), in.readLong(), in.readLong(), in.readLong()))
                    : Optional.empty();
            return new CatalogEntry(ProjectId.fromBytes(key, 0), newest, in.readLong(), in.readLong(),
                    in.readLong(), readString(in));
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeShort(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readUnsignedShort()];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        store.close();
    }
}
