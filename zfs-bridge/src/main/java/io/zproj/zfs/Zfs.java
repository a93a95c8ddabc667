package io.zproj.zfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * ZFS on this host, as zproj uses it: pools, datasets, properties and quotas, mounts,
 * snapshots and send/receive streams.
 *
 * <p>Every method runs {@code zfs} or {@code zpool} with an argument list built from validated
 * names, under the timeouts of {@link ZfsConfig}, and reports failure as a typed
 * {@link ZfsException}. Instances are thread-safe; ZFS itself serializes conflicting changes.
 * {@link #close()} releases the threads that watch commands.
 */
public interface Zfs extends AutoCloseable {

    /**
     * Opens the bridge and probes the host's capabilities once (logged at INFO).
     *
     * @throws ZfsException if {@code zfs} cannot run at all
     */
    static Zfs open(ZfsConfig config) throws ZfsException {
        return CommandZfs.open(config);
    }

    /** What the host's ZFS supports, as probed when the bridge was opened. */
    Capabilities capabilities();

    // ---------------------------------------------------------------- pools

    /**
     * Creates a sparse file to serve as a vdev. Needs no ZFS; the file takes no space until written.
     *
     * @throws IOException if the file exists or cannot be made
     */
    static Path createFileVdev(Path file, long bytes) throws IOException {
        if (bytes < 64L << 20) {
            throw new IllegalArgumentException("a vdev must be at least 64 MiB, was " + bytes);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.createFile(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(bytes);
        }
        return file.toAbsolutePath();
    }

    /**
     * Creates a pool on the given vdevs (files or devices). Its root dataset gets
     * {@code mountpoint=none} and {@code canmount=noauto}, so nothing in it mounts unless asked,
     * plus {@code rootProperties}.
     *
     * @throws DatasetExistsException if a pool of that name exists
     */
    void createPool(PoolName pool, List<Path> vdevs, DatasetProperties rootProperties) throws ZfsException;

    /**
     * Imports a pool whose vdevs are in {@code searchDir}, without mounting its datasets: with
     * {@code -N} where the host has it, otherwise relying on zproj's datasets being
     * {@code canmount=noauto} and its roots {@code mountpoint=none}.
     *
     * @throws PoolNotFoundException if no such pool is found there
     */
    void importPool(PoolName pool, Path searchDir) throws ZfsException;

    /** Exports a pool; {@code force} unmounts busy datasets. @throws PoolNotFoundException if not imported */
    void exportPool(PoolName pool, boolean force) throws ZfsException;

    /** Destroys a pool and everything in it, forcibly. Idempotent: an absent pool is not an error. */
    void destroyPool(PoolName pool) throws ZfsException;

    /** The imported pools. */
    List<PoolInfo> listPools() throws ZfsException;

    /** One imported pool. @throws PoolNotFoundException if it is not imported */
    PoolInfo pool(PoolName pool) throws ZfsException;

    /** The bytes that can still be written to a dataset: exact, and limited by quotas above it. */
    long availableBytes(DatasetName dataset) throws ZfsException;

    // ---------------------------------------------------------------- datasets

    /**
     * Creates a filesystem dataset (and no missing parents).
     *
     * @throws DatasetExistsException   if it exists
     * @throws DatasetNotFoundException if its parent does not
     */
    void createDataset(DatasetName dataset, DatasetProperties properties) throws ZfsException;

    /**
     * Creates {@code target} as a clone of {@code origin} ({@code zfs clone}) with
     * {@code properties}: it shares the snapshot's blocks, and the snapshot cannot be destroyed
     * while the clone exists.
     */
    void clone(SnapshotName origin, DatasetName target, DatasetProperties properties) throws ZfsException;

    /** Whether a dataset exists. */
    boolean exists(DatasetName dataset) throws ZfsException;

    /**
     * Destroys a dataset with its snapshots and children. Idempotent: returns false if there was
     * nothing to destroy.
     *
     * @throws DatasetBusyException if it is mounted and in use
     */
    boolean destroyDataset(DatasetName dataset) throws ZfsException;

    /**
     * Renames a dataset (with its snapshots and children) within its pool. It must not be mounted.
     *
     * @throws DatasetExistsException   if {@code to} exists
     * @throws DatasetNotFoundException if {@code from} does not
     */
    void rename(DatasetName from, DatasetName to) throws ZfsException;

    /** The direct child filesystems of {@code parent} with their space, sorted by name. */
    List<DatasetInfo> listChildren(DatasetName parent) throws ZfsException;

    /** The space of one dataset. */
    DatasetInfo datasetInfo(DatasetName dataset) throws ZfsException;

    /** One property's exact value ({@code zfs get -H -p}); {@code -} when unset. */
    String getProperty(DatasetName dataset, String property) throws ZfsException;

    /** Several properties' exact values, by property name. */
    Map<String, String> getProperties(DatasetName dataset, List<String> properties) throws ZfsException;

    /**
     * Properties of every snapshot of {@code dataset}, in one command: snapshot short name ->
     * property -> value, oldest first.
     */
    Map<String, Map<String, String>> snapshotProperties(DatasetName dataset, List<String> properties) throws ZfsException;

    /**
     * One property of every direct child filesystem of {@code parent}, in one command (a child
     * on which it is not set maps to {@code "-"}).
     */
    Map<DatasetName, String> childProperty(DatasetName parent, String property) throws ZfsException;

    /** Sets one property. */
    void setProperty(DatasetName dataset, String property, String value) throws ZfsException;

    /**
     * Mounts a dataset at {@code mountpoint} (created if missing). Idempotent: a dataset
     * already mounted there is left as it is; one mounted elsewhere is moved.
     */
    void mount(DatasetName dataset, Path mountpoint) throws ZfsException;

    /**
     * Unmounts a dataset. Idempotent: returns false if it was not mounted.
     *
     * @throws DatasetBusyException if something has files open or a current directory in it
     */
    boolean unmount(DatasetName dataset) throws ZfsException;

    /** Whether a dataset is mounted. */
    boolean isMounted(DatasetName dataset) throws ZfsException;

    // ---------------------------------------------------------------- quotas

    /** Sets the quota; 0 removes it. @throws QuotaExceededException if below what the dataset uses */
    void setQuota(DatasetName dataset, long bytes) throws ZfsException;

    /** The quota, empty if none. */
    OptionalLong quota(DatasetName dataset) throws ZfsException;

    // ---------------------------------------------------------------- snapshots

    /**
     * Takes a zproj snapshot named for now, {@code zproj-<UTC ISO 8601 basic, milliseconds>}.
     *
     * @throws DatasetExistsException if one of that name exists (two in the same millisecond)
     */
    Snapshot snapshot(DatasetName dataset) throws ZfsException;

    /** Takes a snapshot with the given name. */
    Snapshot snapshot(SnapshotName name) throws ZfsException;

    /**
     * Takes a zproj snapshot named for now, as {@link #snapshot(DatasetName)}, and lists the
     * dataset's snapshots after it, the new one newest: two commands, where a snapshot then a
     * listing takes three.
     *
     * @throws DatasetExistsException if one of that name exists (two in the same millisecond)
     */
    List<Snapshot> snapshotAndList(DatasetName dataset) throws ZfsException;

    /** A dataset's snapshots with GUID, createtxg and creation time, oldest first (by createtxg). */
    List<Snapshot> listSnapshots(DatasetName dataset) throws ZfsException;

    /**
     * The dataset's space and its snapshots in one command (what {@link #datasetInfo} and
     * {@link #listSnapshots} say together).
     *
     * @throws DatasetNotFoundException if it does not exist
     */
    DatasetState describe(DatasetName dataset) throws ZfsException;

    /**
     * The snapshots of every direct child of {@code parent}, in one command: child -> its
     * snapshots, oldest first (children without snapshots map to an empty list). Scales to
     * thousands of children.
     */
    Map<DatasetName, List<Snapshot>> listChildSnapshots(DatasetName parent) throws ZfsException;

    /** The newest snapshot, if any. */
    default Optional<Snapshot> newestSnapshot(DatasetName dataset) throws ZfsException {
        return Snapshots.newest(listSnapshots(dataset));
    }

    /**
     * The direct children of {@code parent} whose contents differ from their newest snapshot (or
     * that have no snapshot): ZFS's own answer to "has this project changed?", whoever changed it
     * and whether or not zproj was running. On OpenZFS the {@code written} property; elsewhere
     * (zfs-fuse) the pool is first made to write its open transaction group (a user property
     * {@code zproj:synced} set on {@code parent}), after which a newest snapshot's {@code used} is
     * non-zero exactly when something was changed after it. Never call this on a dataset that
     * keeps an unchanged snapshot on top of another: later changes would free only blocks both
     * share and go unseen (zproj never keeps an empty snapshot).
     */
    java.util.Set<DatasetName> changedChildren(DatasetName parent) throws ZfsException;

    /**
     * What {@link #changedChildren} says of one direct child of {@code parent}, reading only that
     * child's snapshots.
     */
    boolean childChanged(DatasetName parent, DatasetName child) throws ZfsException;

    /**
     * Places a hold with {@code tag} on a snapshot ({@code zfs hold}): it cannot be destroyed
     * until every hold on it is released. Idempotent: the same tag placed twice is one hold.
     */
    void hold(SnapshotName snapshot, String tag) throws ZfsException;

    /**
     * Releases the hold with {@code tag} ({@code zfs release}).
     *
     * @return false if there was no such hold, or no such snapshot
     */
    boolean release(SnapshotName snapshot, String tag) throws ZfsException;

    /** Destroys one snapshot. Idempotent: returns false if it did not exist. */
    boolean destroySnapshot(SnapshotName snapshot) throws ZfsException;

    /**
     * Applies a keep policy to a dataset's snapshots ({@link Pruning#toDestroy}): never the
     * newest, never a protected one, never a foreign one unless {@code foreignToo}. A snapshot
     * that cannot go (held, cloned) is skipped.
     *
     * @return the snapshots destroyed
     */
    default List<Snapshot> prune(DatasetName dataset, KeepPolicy policy, java.time.Instant now,
            java.util.Set<Long> protectedGuids, boolean foreignToo) throws ZfsException {
        return destroySnapshots(Pruning.toDestroy(listSnapshots(dataset), policy, now, protectedGuids, foreignToo));
    }

    /**
     * Destroys these snapshots (a pruning decision made by the caller); one that cannot go (held,
     * cloned) is skipped.
     *
     * @return the snapshots destroyed
     */
    default List<Snapshot> destroySnapshots(List<Snapshot> snapshots) throws ZfsException {
        List<Snapshot> destroyed = new java.util.ArrayList<>();
        for (Snapshot s : snapshots) {
            try {
                if (destroySnapshot(s.name())) {
                    destroyed.add(s);
                }
            } catch (DatasetBusyException e) {
                System.getLogger(Zfs.class.getName()).log(System.Logger.Level.DEBUG,
                        () -> "keeping " + s.name() + ", it is held or in use: " + e.getMessage());
            }
        }
        return destroyed;
    }

    // ---------------------------------------------------------------- streams

    /**
     * Starts {@code zfs send} of {@code snapshot}: full when {@code base} is empty, otherwise
     * incremental ({@code -i}) from {@code base}, a snapshot of the same dataset.
     */
    SendStream send(SnapshotName snapshot, Optional<SnapshotName> base) throws ZfsException;

    /**
     * Starts {@code zfs receive} into {@code target}: a new dataset for a full stream, an
     * existing one whose newest snapshot is the stream's base for an incremental stream.
     */
    ReceiveStream receive(DatasetName target, ReceiveOptions options) throws ZfsException;

    /**
     * Starts {@code zfs receive} of an incremental stream into a dataset the caller has just
     * described (its quota is kept from that state instead of being read again).
     */
    ReceiveStream receive(DatasetState into, ReceiveOptions options) throws ZfsException;

    /**
     * Starts {@code zfs receive} of a full stream into a dataset the caller has just seen absent
     * (no quota to keep is looked up). If it appeared meanwhile, the receive fails with
     * {@link DatasetExistsException} and leaves it as it is.
     */
    ReceiveStream receiveNew(DatasetName target, ReceiveOptions options) throws ZfsException;

    /**
     * Receives a whole stream from {@code in} (until its end). If {@code in} fails, the
     * receive is aborted and the error says what the target looks like.
     *
     * @return the snapshot received
     */
    default Snapshot receive(DatasetName target, InputStream in, ReceiveOptions options) throws ZfsException {
        try (ReceiveStream receive = receive(target, options)) {
            byte[] buf = new byte[128 << 10];
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    String state = receive.abort();
                    throw new InvalidStreamException("receive into " + target + " aborted, its source failed: "
                            + e.getMessage() + "; " + state, List.of(), -1, "");
                }
                if (n < 0) {
                    return receive.finish();
                }
                try {
                    receive.stream().write(buf, 0, n);
                } catch (ZfsException e) {
                    throw e; // zfs receive gave up, and says why
                } catch (IOException e) {
                    throw new ZfsException("cannot write to zfs receive into " + target + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** Releases the threads that watch commands. Running streams are not affected. */
    @Override
    void close();
}
