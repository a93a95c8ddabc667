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
 * outlives the daemon and its state directory: a hold {@code zproj:<replica>} on that snapshot
 * (no pruning here can take it, so the replica can always be caught up incrementally), and the
 * project's user property {@code zproj:bases} naming it (ZFS cannot list a hold's tags on
 * zfs-fuse, and a restart must know which replicas lack the newest snapshot).
 *
 * <p>The property always names at least the snapshots held: a base is first written into it,
 * then held, and the previous one released; a released entry leaves the property at the next
 * move. A crash in between leaves an entry too many, never a hold unnamed. Thread-safe.
 */
final class ReplicaBases {

    private static final System.Logger LOG = System.getLogger(ReplicaBases.class.getName());
    static final String PROPERTY = "zproj:bases";
    private static final String NONE = "none";
    private static final int MAX_ENTRIES = 12; // the property holds 1,024 characters
    /** A replica that has left the fleet lets go of its base after this long (as servers let go of silent clients). */
    static final Duration MAX_AGE = Duration.ofDays(30);

    /**
     * One entry: {@code replica} (as {@link Addresses#format}) is or was based on the snapshot
     * {@code snapshot} (its short name) with {@code guid}, since {@code epochSecond}.
     * {@code released}: its hold is known to be gone (dropped from the property at the next write).
     */
    record Base(String replica, String snapshot, long guid, long epochSecond, boolean released) {

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
                        Long.parseLong(rest[2]), false));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    private final Zfs zfs;
    private final Clock clock;
    /** What this process last wrote or read per dataset; it is the only writer of the property. */
    private final Map<DatasetName, List<Base>> known = new ConcurrentHashMap<>();

    /** Records moves in the order they happened, off the path of the transfer that made them. */
    private final java.util.concurrent.ExecutorService recorder = java.util.concurrent.Executors.newSingleThreadExecutor(
            Threads.named("zproj-bases"));

    ReplicaBases(Zfs zfs, Clock clock) {
        this.zfs = zfs;
        this.clock = clock;
    }

    /**
     * Runs a recording task ({@link #moved} and the like) in the background, in order: a transfer
     * is not slowed by the few zfs commands a move takes. Until it is recorded, a base is
     * protected in memory only, and a restart sees that replica behind, which is the safe side:
     * it is asked again.
     */
    void later(String what, ZfsTask task) {
        try {
            recorder.execute(() -> {
                try {
                    task.run();
                } catch (DatasetNotFoundException e) {
                    LOG.log(Level.DEBUG, () -> "not recording " + what + ": the copy is gone");
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "cannot record " + what + " (it is asked again at the next transfer): "
                            + e.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.log(Level.DEBUG, () -> "not recording " + what + " after the stop");
        }
    }

    interface ZfsTask {
        void run() throws IOException;
    }

    /** Records the moves asked for so far (waiting up to 10 s), then takes no more. */
    void close() {
        recorder.shutdown();
        try {
            if (!recorder.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "not every replica base was recorded before the stop; "
                        + "the next start asks those replicas again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String tag(String replica) {
        return "zproj:" + replica;
    }

    /** The current base of each replica (the newest entry per replica), as ZFS records it. */
    Map<String, Base> bases(DatasetName dataset) throws ZfsException {
        return current(entries(dataset));
    }

    private static Map<String, Base> current(List<Base> entries) {
        Map<String, Base> out = new LinkedHashMap<>();
        for (Base b : entries) {
            Base seen = out.get(b.replica());
            if (seen == null || b.epochSecond() >= seen.epochSecond()) {
                out.put(b.replica(), b);
            }
        }
        return out;
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
            for (Base b : current(parse(dataset, value)).values()) {
                if (b.guid() != newest) {
                    out.add(dataset);
                }
            }
        });
        return out;
    }

    /**
     * A transfer with {@code server} ended with both sides at {@code at}: that is its base now.
     * Does nothing if it already was.
     */
    void moved(DatasetName dataset, InetSocketAddress server, SnapshotEntry at) {
        String replica = Addresses.format(server);
        synchronized (lockFor(dataset)) {
            try {
                List<Base> entries = entries(dataset);
                Base current = bases(dataset).get(replica);
                if (current != null && current.guid() == at.guid()) {
                    return;
                }
                List<Base> next = new ArrayList<>();
                for (Base b : entries) {
                    if (!b.released()) {
                        next.add(b);
                    }
                }
                Base base = new Base(replica, at.name(), at.guid(), clock.instant().getEpochSecond(), false);
                next.add(base);
                while (next.size() > MAX_ENTRIES) {
                    Base dropped = next.remove(0);
                    release(dataset, dropped);
                }
                write(dataset, next);
                zfs.hold(dataset.snapshot(at.name()), tag(replica));
                List<Base> after = new ArrayList<>();
                for (Base b : next) {
                    boolean older = b.replica().equals(replica) && b != base;
                    after.add(older && release(dataset, b) ? withReleased(b) : b);
                }
                known.put(dataset, after);
            } catch (DatasetNotFoundException e) {
                known.remove(dataset);
                LOG.log(Level.DEBUG, () -> "not recording the base of " + replica + ": " + dataset + " is gone");
            } catch (ZfsException | RuntimeException e) {
                known.remove(dataset); // read again next time
                LOG.log(Level.WARNING, "cannot record that " + replica + " is based on " + dataset + "@" + at.name()
                        + " (it is not protected from pruning here until the next transfer): " + e.getMessage());
            }
        }
    }

    /**
     * Lets go of the bases of replicas no longer in {@code servers} whose base has not moved for
     * {@link #MAX_AGE}, so that holds do not pile up on copies that replicas left long ago.
     */
    void forgetGone(DatasetName dataset, Set<InetSocketAddress> servers) {
        Set<String> current = new java.util.HashSet<>();
        servers.forEach(s -> current.add(Addresses.format(s)));
        long cutoff = clock.instant().minus(MAX_AGE).getEpochSecond();
        synchronized (lockFor(dataset)) {
            try {
                List<Base> entries = entries(dataset);
                List<Base> next = new ArrayList<>();
                boolean changed = false;
                for (Base b : entries) {
                    if (!current.contains(b.replica()) && b.epochSecond() < cutoff) {
                        release(dataset, b);
                        LOG.log(Level.INFO, "released the base of " + b.replica() + " on " + dataset + "@" + b.snapshot()
                                + ": it left the fleet and has not been seen for " + MAX_AGE.toDays() + " days");
                        changed = true;
                    } else {
                        next.add(b);
                    }
                }
                if (changed) {
                    write(dataset, next);
                    known.put(dataset, next);
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
     * Releases every hold this host placed on a copy's snapshots and clears the record: the copy
     * is set aside or about to go, and no replica is based on it any more.
     */
    void releaseAll(DatasetName dataset) throws ZfsException {
        synchronized (lockFor(dataset)) {
            try {
                List<Base> entries = entries(dataset);
                for (Base b : entries) {
                    release(dataset, b);
                }
                if (!entries.isEmpty()) {
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

    private boolean release(DatasetName dataset, Base b) throws ZfsException {
        return zfs.release(dataset.snapshot(b.snapshot()), tag(b.replica()));
    }

    private static Base withReleased(Base b) {
        return new Base(b.replica(), b.snapshot(), b.guid(), b.epochSecond(), true);
    }

    private List<Base> entries(DatasetName dataset) throws ZfsException {
        List<Base> cached = known.get(dataset);
        if (cached != null) {
            return cached;
        }
        List<Base> out = parse(dataset, zfs.getProperties(dataset, List.of(PROPERTY)).getOrDefault(PROPERTY, "-"));
        known.put(dataset, out);
        return out;
    }

    private static List<Base> parse(DatasetName dataset, String value) {
        List<Base> out = new ArrayList<>();
        if (!value.equals("-") && !value.equals(NONE)) {
            for (String item : value.trim().split(" +")) {
                Base.parse(item).ifPresentOrElse(out::add,
                        () -> LOG.log(Level.WARNING, "ignoring \"" + item + "\" in " + PROPERTY + " of " + dataset));
            }
        }
        return out;
    }

    private void write(DatasetName dataset, List<Base> entries) throws ZfsException {
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
