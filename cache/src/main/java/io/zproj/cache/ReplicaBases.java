package io.zproj.cache;

import io.zproj.transport.Addresses;
import io.zproj.transport.SnapshotEntry;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetNotFoundException;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Zfs;
import io.zproj.zfs.ZfsException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The snapshot of a cached project that each replica is based on, kept in ZFS so that it
 * outlives the daemon and its state directory: the hold {@value #TAG} on every snapshot some
 * replica is based on (no pruning here can take it, so each replica can always be caught up
 * incrementally), and the project's user property {@code zproj:bases} naming each replica's (a
 * restart must know which replicas lack the newest snapshot; zfs-fuse cannot list holds).
 *
 * <p>A move holds the new base first, then rewrites the property, then releases what no
 * replica is based on any more: a crash in between leaves a snapshot held too long, never a
 * base unheld; {@link #releaseAll} releases every hold of the tag, named or not. Moves are
 * recorded in the background, a burst of them at once ({@link #record}).
 * Thread-safe.
 */
final class ReplicaBases {

    private static final System.Logger LOG = System.getLogger(ReplicaBases.class.getName());
    static final String PROPERTY = "zproj:bases";
    /** The one hold tag of this host's bases (a server's holds, on its own pool, name each peer). */
    static final String TAG = "zproj:base";
    private static final String NONE = "none";
    private static final int MAX_ENTRIES = 12; // the property holds 1,024 characters
    /** A replica that has left the fleet lets go of its base after this long (as servers let go of silent clients). */
    static final Duration MAX_AGE = Duration.ofDays(30);

    /**
     * One entry: {@code replica} (as {@link Addresses#format}) is based on the snapshot
     * {@code snapshot} (its short name) with {@code guid}, since {@code epochSecond}.
     */
    record Base(String replica, String snapshot, long guid, long epochSecond) {

        String text() {
            return replica + "=" + snapshot + ":" + Long.toUnsignedString(guid) + ":" + epochSecond;
        }

        static Optional<Base> parse(String text) {
            int eq = text.lastIndexOf('=');
            String[] rest = eq < 0 ? new String[0] : text.substring(eq + 1).split(":");
            if (rest.length != 3) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Base(text.substring(0, eq), rest[0], Long.parseUnsignedLong(rest[1]),
                        Long.parseLong(rest[2])));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    private final Zfs zfs;
    private final Clock clock;
    /** What this process last wrote or read per dataset (replica -> base); it is the only writer of the property. */
    private final Map<DatasetName, Map<String, Base>> known = new ConcurrentHashMap<>();

    ReplicaBases(Zfs zfs, Clock clock) {
        this.zfs = zfs;
        this.clock = clock;
    }

    /**
     * How long moves wait to be recorded: those of a burst of write-backs are recorded once,
     * after it, and never compete with the next write-back's own zfs commands. Until a move is
     * recorded the base is protected in memory (write-back's own record of acks), and a restart
     * without the state directory in that window sees the replica behind: the safe side.
     */
    static final Duration RECORD_DELAY = Duration.ofSeconds(2);

    private final java.util.concurrent.ScheduledExecutorService recorder =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Threads.named("zproj-bases"));
    /** Moves not recorded yet, per copy (replica -> snapshot), the newest per replica. */
    private final Map<DatasetName, Map<InetSocketAddress, SnapshotEntry>> pending = new ConcurrentHashMap<>();

    /**
     * Transfers ended with these replicas at these snapshots: recorded as their bases within
     * {@link #RECORD_DELAY}, together with any other move of the same copy meanwhile. A replica
     * whose snapshot the copy does not hold (it is ahead, or diverged) is not based on it and
     * is left out when recorded.
     */
    void record(DatasetName dataset, Map<InetSocketAddress, SnapshotEntry> at) {
        boolean[] first = {false};
        pending.compute(dataset, (k, v) -> {
            first[0] = v == null;
            Map<InetSocketAddress, SnapshotEntry> m = v == null ? new LinkedHashMap<>() : v;
            at.forEach((server, snap) -> m.merge(server, snap, (a, b) -> b.createTxg() >= a.createTxg() ? b : a));
            return m;
        });
        if (first[0]) {
            try {
                recorder.schedule(() -> flush(dataset), RECORD_DELAY.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                flush(dataset); // closing: record it now
            }
        }
    }

    /** Records what is pending for a copy: only bases the copy holds (by GUID, under its own name). */
    private void flush(DatasetName dataset) {
        synchronized (lockFor(dataset)) { // not between a releaseAll and the rename or destroy that follows it
            flushLocked(dataset);
        }
    }

    private void flushLocked(DatasetName dataset) {
        Map<InetSocketAddress, SnapshotEntry> moves = pending.remove(dataset);
        if (moves == null) {
            return;
        }
        try {
            Map<Long, String> here = new java.util.HashMap<>();
            for (Snapshot s : zfs.listSnapshots(dataset)) {
                here.put(s.guid(), s.name().name());
            }
            Map<InetSocketAddress, SnapshotEntry> held = new LinkedHashMap<>();
            moves.forEach((server, snap) -> {
                String name = here.get(snap.guid());
                if (name != null) {
                    held.put(server, new SnapshotEntry(name, snap.guid(), snap.createTxg(), snap.creationEpochSecond()));
                }
            });
            if (!held.isEmpty()) {
                moved(dataset, held);
            }
        } catch (DatasetNotFoundException e) {
            LOG.log(Level.DEBUG, () -> "not recording bases: " + dataset + " is gone");
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot record the replicas' bases on " + dataset + " (asked again at the next "
                    + "transfer): " + e.getMessage());
        }
    }

    /** Records every pending move now, then takes no more (they are recorded at once). */
    void close() {
        recorder.shutdown(); // the delayed flushes still run, at once
        try {
            recorder.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (DatasetName d : new ArrayList<>(pending.keySet())) {
            flush(d);
        }
    }

    /** The base of each replica with one, as ZFS records it. */
    Map<String, Base> bases(DatasetName dataset) throws ZfsException {
        return Map.copyOf(entries(dataset));
    }

    /**
     * The copies under {@code cacheRoot} that some replica with a recorded base is behind on:
     * they have snapshots that replica lacks. Two zfs commands for all of them; this is how a
     * restart finds them, with or without the state directory.
     */
    Set<DatasetName> behind(DatasetName cacheRoot) throws ZfsException {
        Map<DatasetName, List<Snapshot>> snapshots = zfs.listChildSnapshots(cacheRoot);
        Set<DatasetName> out = new java.util.HashSet<>();
        zfs.childProperty(cacheRoot, PROPERTY).forEach((dataset, value) -> {
            List<Snapshot> list = snapshots.getOrDefault(dataset, List.of());
            if (list.isEmpty()) {
                return;
            }
            long newest = list.get(list.size() - 1).guid();
            for (Base b : parse(dataset, value).values()) {
                if (b.guid() != newest) {
                    out.add(dataset);
                }
            }
        });
        return out;
    }

    /**
     * Transfers ended with each of these replicas at the given snapshot: those are their bases
     * now. Does nothing for a replica whose base it already was.
     */
    void moved(DatasetName dataset, Map<InetSocketAddress, SnapshotEntry> at) {
        synchronized (lockFor(dataset)) {
            try {
                Map<String, Base> before = entries(dataset);
                Map<String, Base> after = new LinkedHashMap<>(before);
                long now = clock.instant().getEpochSecond();
                at.forEach((server, snap) -> {
                    String replica = Addresses.format(server);
                    Base was = before.get(replica);
                    if (was == null || was.guid() != snap.guid()) {
                        after.put(replica, new Base(replica, snap.name(), snap.guid(), now));
                    }
                });
                if (after.equals(before)) {
                    return;
                }
                if (after.size() > MAX_ENTRIES) {
                    LOG.log(Level.WARNING, dataset + " has bases of " + after.size() + " replicas; only "
                            + MAX_ENTRIES + " fit its " + PROPERTY + ": the oldest are dropped");
                    List<Base> byAge = new ArrayList<>(after.values());
                    byAge.sort(java.util.Comparator.comparingLong(Base::epochSecond));
                    byAge.subList(0, after.size() - MAX_ENTRIES).forEach(b -> after.remove(b.replica()));
                }
                apply(dataset, before, after);
            } catch (DatasetNotFoundException e) {
                known.remove(dataset);
                LOG.log(Level.DEBUG, () -> "not recording bases: " + dataset + " is gone");
            } catch (ZfsException | RuntimeException e) {
                known.remove(dataset); // read again next time
                LOG.log(Level.WARNING, "cannot record the replicas' bases on " + dataset + " (not protected from "
                        + "pruning here until the next transfer): " + e.getMessage());
            }
        }
    }

    /** Holds what is newly a base, records {@code after}, releases what no longer is. */
    private void apply(DatasetName dataset, Map<String, Base> before, Map<String, Base> after) throws ZfsException {
        java.util.Set<String> heldBefore = new java.util.HashSet<>();
        before.values().forEach(b -> heldBefore.add(b.snapshot()));
        java.util.Set<String> heldAfter = new java.util.HashSet<>();
        after.values().forEach(b -> heldAfter.add(b.snapshot()));
        for (String snap : heldAfter) {
            if (!heldBefore.contains(snap)) {
                zfs.hold(dataset.snapshot(snap), TAG);
            }
        }
        write(dataset, after.values());
        known.put(dataset, after);
        for (String snap : heldBefore) {
            if (!heldAfter.contains(snap)) {
                zfs.release(dataset.snapshot(snap), TAG);
            }
        }
    }

    /** When this process last saw each replica in the fleet (a restart starts the count again: the safe side). */
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();

    /**
     * Lets go of the bases of replicas that have been out of {@code servers} for {@link #MAX_AGE}
     * (a quiet replica that is in the fleet keeps its base however old it is), so that holds do
     * not pile up on copies that replicas left long ago.
     */
    void forgetGone(DatasetName dataset, Set<InetSocketAddress> servers) {
        Set<String> current = new java.util.HashSet<>();
        servers.forEach(s -> current.add(Addresses.format(s)));
        long now = clock.millis();
        synchronized (lockFor(dataset)) {
            try {
                Map<String, Base> before = entries(dataset);
                Map<String, Base> after = new LinkedHashMap<>(before);
                for (String r : before.keySet()) {
                    if (current.contains(r)) {
                        lastSeen.put(r, now);
                    } else {
                        lastSeen.putIfAbsent(r, now); // absent since at least now, as this process saw it
                    }
                }
                after.values().removeIf(b -> !current.contains(b.replica())
                        && now - lastSeen.get(b.replica()) >= MAX_AGE.toMillis());
                if (!after.equals(before)) {
                    before.keySet().stream().filter(r -> !after.containsKey(r)).forEach(r -> LOG.log(Level.INFO,
                            "released the base of " + r + " on " + dataset + ": it left the fleet and has not been seen"
                                    + " for " + MAX_AGE.toDays() + " days"));
                    apply(dataset, before, after);
                }
            } catch (ZfsException | RuntimeException e) {
                known.remove(dataset);
                LOG.log(Level.WARNING, "cannot release old bases on " + dataset + ": " + e.getMessage());
            }
        }
    }

    /** Destroys a copy and its snapshots, releasing the holds this host placed on them first. */
    boolean destroy(DatasetName dataset) throws ZfsException {
        synchronized (lockFor(dataset)) {
            try {
                releaseAll(dataset);
            } catch (DatasetNotFoundException e) {
                return false;
            }
            return zfs.destroyDataset(dataset);
        }
    }

    /**
     * Releases every hold of {@value #TAG} on a copy's snapshots (those named as bases, and any a
     * crash left unnamed) and clears the record: the copy is set aside or about to go, and no
     * replica is based on it any more.
     */
    void releaseAll(DatasetName dataset) throws ZfsException {
        synchronized (lockFor(dataset)) {
            pending.remove(dataset); // a move not recorded yet is of the copy that goes
            try {
                for (Map.Entry<String, Map<String, String>> snap
                        : zfs.snapshotProperties(dataset, List.of("userrefs")).entrySet()) {
                    if (!"0".equals(snap.getValue().getOrDefault("userrefs", "0"))) {
                        zfs.release(dataset.snapshot(snap.getKey()), TAG);
                    }
                }
                if (!entries(dataset).isEmpty()) {
                    write(dataset, List.of());
                }
            } finally {
                known.remove(dataset);
            }
        }
    }

    /** Forgets what was read of a dataset that was renamed or replaced. */
    void forget(DatasetName dataset) {
        known.remove(dataset);
    }

    private Map<String, Base> entries(DatasetName dataset) throws ZfsException {
        Map<String, Base> cached = known.get(dataset);
        if (cached != null) {
            return cached;
        }
        Map<String, Base> out = parse(dataset, zfs.getProperties(dataset, List.of(PROPERTY)).getOrDefault(PROPERTY, "-"));
        known.put(dataset, out);
        return out;
    }

    /** The property's value as replica -> base (the newest entry of a replica named twice). */
    private static Map<String, Base> parse(DatasetName dataset, String value) {
        Map<String, Base> out = new LinkedHashMap<>();
        if (!value.equals("-") && !value.equals(NONE)) {
            for (String item : value.trim().split(" +")) {
                Base.parse(item).ifPresentOrElse(b -> out.merge(b.replica(), b,
                        (x, y) -> y.epochSecond() >= x.epochSecond() ? y : x),
                        () -> LOG.log(Level.WARNING, "ignoring \"" + item + "\" in " + PROPERTY + " of " + dataset));
            }
        }
        return out;
    }

    private void write(DatasetName dataset, java.util.Collection<Base> entries) throws ZfsException {
        StringBuilder v = new StringBuilder();
        for (Base b : entries) {
            v.append(v.length() == 0 ? "" : " ").append(b.text());
        }
        zfs.setProperty(dataset, PROPERTY, v.length() == 0 ? NONE : v.toString());
    }

    private final Map<DatasetName, Object> locks = new ConcurrentHashMap<>();

    private Object lockFor(DatasetName dataset) {
        return locks.computeIfAbsent(dataset, k -> new Object());
    }
}
