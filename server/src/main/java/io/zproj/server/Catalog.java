package io.zproj.server;

import io.zproj.transport.SnapshotEntry;
import io.zproj.zfs.ProjectId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * The server's index of its projects in RocksDB, keyed by project UUID (16 bytes). ZFS is the
 * truth: the server rebuilds this from ZFS at start and on every rescan; what only the
 * catalog knows is who wrote each project last, and when, and which snapshot each peer is based
 * on (the one the server holds for it: key {@code 'H' + uuid + peer name}). Thread-safe.
 */
final class Catalog implements AutoCloseable {

    private static final int FORMAT = 1;

    static {
        RocksDB.loadLibrary();
    }

    private final RocksDB db;
    private final Options options;
    private final WriteOptions writeOptions;

    private Catalog(RocksDB db, Options options) {
        this.db = db;
        this.options = options;
        this.writeOptions = new WriteOptions().setSync(true);
    }

    /** Opens (or creates) the catalog in {@code dir}. */
    static Catalog open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Options options = new Options().setCreateIfMissing(true);
        try {
            return new Catalog(RocksDB.open(options, dir.toString()), options);
        } catch (RocksDBException e) {
            options.close();
            throw new IOException("cannot open the catalog in " + dir + ": " + e.getMessage(), e);
        }
    }

    void put(CatalogEntry e) throws IOException {
        try {
            db.put(writeOptions, key(e.id()), encode(e));
        } catch (RocksDBException ex) {
            throw new IOException("cannot write the catalog: " + ex.getMessage(), ex);
        }
    }

    void remove(ProjectId id) throws IOException {
        try {
            db.delete(writeOptions, key(id));
        } catch (RocksDBException ex) {
            throw new IOException("cannot write the catalog: " + ex.getMessage(), ex);
        }
    }

    /** Every entry; an entry that does not decode (an older format, damage) is skipped, to be rebuilt from ZFS. */
    List<CatalogEntry> all() {
        List<CatalogEntry> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                try {
                    out.add(decode(it.key(), it.value()));
                } catch (IOException | RuntimeException e) {
                    // rebuilt from ZFS by the next rescan
                }
            }
        }
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
        try {
            db.put(writeOptions, holdKey(h.id(), h.peer()), bytes.toByteArray());
        } catch (RocksDBException ex) {
            throw new IOException("cannot write the catalog: " + ex.getMessage(), ex);
        }
    }

    void removeHold(ProjectId id, String peer) throws IOException {
        try {
            db.delete(writeOptions, holdKey(id, peer));
        } catch (RocksDBException ex) {
            throw new IOException("cannot write the catalog: " + ex.getMessage(), ex);
        }
    }

    /** Every peer's hold, of every project; one that does not decode is skipped. */
    List<Hold> holds() {
        return holdsFrom(new byte[] {HOLD});
    }

    /** The holds of one project's peers (a seek to its keys, not a scan of all). */
    List<Hold> holds(ProjectId id) {
        byte[] prefix = new byte[17];
        prefix[0] = HOLD;
        System.arraycopy(key(id), 0, prefix, 1, 16);
        return holdsFrom(prefix);
    }

    private List<Hold> holdsFrom(byte[] prefix) {
        List<Hold> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(prefix); it.isValid() && it.key().length > 17 && startsWith(it.key(), prefix); it.next()) {
                byte[] k = it.key();
                try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(it.value()))) {
                    if (in.readByte() != FORMAT) {
                        continue;
                    }
                    byte[] uuid = java.util.Arrays.copyOfRange(k, 1, 17);
                    String peer = new String(k, 17, k.length - 17, StandardCharsets.UTF_8);
                    out.add(new Hold(idOf(uuid), peer, readString(in), in.readLong(), in.readLong()));
                } catch (IOException | RuntimeException e) {
                    // a damaged record: its hold is found again by the peer's next transfer
                }
            }
        }
        return out;
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return java.util.Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] holdKey(ProjectId id, String peer) {
        byte[] name = peer.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[17 + name.length];
        k[0] = HOLD;
        System.arraycopy(key(id), 0, k, 1, 16);
        System.arraycopy(name, 0, k, 17, name.length);
        return k;
    }

    private static ProjectId idOf(byte[] key) {
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (key[i] & 0xff);
            lsb = (lsb << 8) | (key[8 + i] & 0xff);
        }
        return new ProjectId(new UUID(msb, lsb));
    }

    private static byte[] key(ProjectId id) {
        UUID u = id.uuid();
        byte[] k = new byte[16];
        for (int i = 0; i < 8; i++) {
            k[i] = (byte) (u.getMostSignificantBits() >>> (56 - 8 * i));
            k[8 + i] = (byte) (u.getLeastSignificantBits() >>> (56 - 8 * i));
        }
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
            return new CatalogEntry(idOf(key), newest, in.readLong(), in.readLong(),
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
        writeOptions.close();
        db.close();
        options.close();
    }
}
