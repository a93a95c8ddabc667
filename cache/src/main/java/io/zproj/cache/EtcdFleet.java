package io.zproj.cache;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.zproj.transport.fleet.EtcdClients;
import io.zproj.transport.fleet.FleetKeys;
import io.zproj.transport.ProjectEntry;
import io.zproj.zfs.ProjectId;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The fleet as the servers publish it in etcd ({@link FleetKeys}): one read of the prefix, then a
 * watch from the revision after it. Every event is applied on one thread, in order; the view
 * readers see is replaced whole after each batch. If the watch fails (etcd gone, or its history
 * compacted past the revision), the prefix is read again and a new watch started, every second
 * until etcd answers; meanwhile the last view stays (cached projects stay served).
 */
final class EtcdFleet implements Fleet {

    private static final System.Logger LOG = System.getLogger(EtcdFleet.class.getName());
    /** How long a mount daemon that stops keeping its lease alive keeps its writer keys. */
    static final Duration WRITER_LEASE = Duration.ofSeconds(10);
    private static final ByteSequence PREFIX = EtcdClients.bytes(FleetKeys.PREFIX);
    private static final ByteSequence HEALTH = EtcdClients.bytes(FleetKeys.PREFIX + "health");

    private final Client client;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(Threads.named("zproj-etcd"));
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** Owned by the loop thread. */
    private final Map<String, InetSocketAddress> servers = new TreeMap<>();
    private final Map<ProjectId, Map<String, ProjectEntry>> copies = new HashMap<>();
    private final Map<ProjectId, String> writerKeys = new HashMap<>();
    private final Map<ProjectId, String> writers = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<ProjectId, Map<String, ProjectEntry>> copiesView = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Map<String, InetSocketAddress> serversView = Map.of();
    /** This daemon's name (what its writer keys say) and its lease; the keys it holds. */
    private final String me;
    private final Map<ProjectId, Long> held = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<java.util.function.Consumer<java.util.Set<ProjectId>>> lostListeners = new CopyOnWriteArrayList<>();
    private volatile long lease;
    private volatile long lastRenewal;
    private io.etcd.jetcd.support.CloseableClient keepAlive;
    private final Object leaseLock = new Object();
    private Watch.Watcher watcher;
    private long revision;
    private volatile boolean connected;
    private volatile long seenRevision;
    private volatile List<InetSocketAddress> serverList = List.of();
    /** The readers' view, updated in place per changed project (a full copy per event would cost O(projects)). */
    private final Map<ProjectId, ProjectEntry> live = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<ProjectId, ProjectEntry> listed = java.util.Collections.unmodifiableMap(live);
    /** Projects whose keys changed since the last publish; all of them when a server came or went. */
    private final java.util.Set<ProjectId> dirty = new java.util.HashSet<>();
    private boolean serversChanged = true;

    private final List<URI> endpoints;

    private EtcdFleet(Client client, List<URI> endpoints, String me) {
        this.client = client;
        this.endpoints = List.copyOf(endpoints);
        this.me = me;
    }

    /** Connects and reads the fleet, waiting up to a few seconds for etcd; keeps trying in the background after. */
    static EtcdFleet start(List<URI> endpoints, java.util.Optional<io.zproj.transport.tls.NodeTls> tls) {
        return start(endpoints, tls, "");
    }

    /** @param me this host's name, what the writer keys it takes say */
    static EtcdFleet start(List<URI> endpoints, java.util.Optional<io.zproj.transport.tls.NodeTls> tls, String me) {
        EtcdFleet f = new EtcdFleet(EtcdClients.connect(endpoints, tls), endpoints, me);
        try {
            f.loop.submit(f::resync).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, "etcd: " + e.getCause());
        }
        f.loop.scheduleWithFixedDelay(f::checkHealth, 2, 2, TimeUnit.SECONDS);
        return f;
    }

    /**
     * Asks etcd for a key every few seconds: the client library resumes a broken watch quietly,
     * so this is how the fleet knows it is cut off (shown in status) and when etcd is back (then
     * it reads everything again, whatever the watch missed).
     */
    private void checkHealth() {
        long l = lease;
        if (l != 0 && System.nanoTime() - lastRenewal > WRITER_LEASE.toNanos()) {
            // etcd has not renewed it for as long as it lives: another host may hold these keys by now
            leaseLost(l, "not renewed for " + WRITER_LEASE.toSeconds() + " s");
        }
        if (!connected && watcher == null) {
            return; // resync is retrying already
        }
        try {
            client.getKVClient().get(HEALTH).get(EtcdClients.OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!connected) {
                LOG.log(Level.INFO, "etcd: answering again; reading the fleet again");
                resync();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            if (connected) {
                LOG.log(Level.WARNING, "etcd: not answering (" + EtcdClients.why(e) + "); serving what is known");
                connected = false;
            }
        }
    }

    @Override
    public List<InetSocketAddress> servers() {
        return serverList;
    }

    @Override
    public Map<ProjectId, ProjectEntry> listed() {
        return listed;
    }

    @Override
    public void refresh() {
        // the watch keeps the view current
    }

    @Override
    public boolean polls() {
        return false;
    }

    @Override
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    public String describe() {
        return connected
                ? "fleet: etcd " + endpoints + ", watching at revision " + seenRevision + " (" + serverList.size()
                        + " servers, " + listed.size() + " projects)"
                : "fleet: etcd " + endpoints + " NOT ANSWERING: serving what was known at revision " + seenRevision
                        + "; it is read again when etcd answers";
    }

    @Override
    public java.util.Optional<String> writer(ProjectId id) {
        return java.util.Optional.ofNullable(writers.get(id));
    }

    @Override
    public boolean hasWriterKeys() {
        return true;
    }

    @Override
    public void onWritersLost(java.util.function.Consumer<java.util.Set<ProjectId>> listener) {
        lostListeners.add(listener);
    }

    /**
     * A transaction: the key is created for this host under its lease only if it does not exist;
     * if it exists and names this host under an older lease (a restart within the lease time), it
     * is moved to the current one. etcd not answering means no key: read-only is the safe side.
     */
    @Override
    public boolean takeWriter(ProjectId id) {
        ByteSequence key = EtcdClients.bytes(FleetKeys.writer(id.uuid()));
        ByteSequence mine = EtcdClients.bytes(me);
        try {
            long l = lease();
            io.etcd.jetcd.options.PutOption withLease = io.etcd.jetcd.options.PutOption.builder().withLeaseId(l).build();
            io.etcd.jetcd.kv.TxnResponse r = client.getKVClient().txn()
                    .If(new io.etcd.jetcd.op.Cmp(key, io.etcd.jetcd.op.Cmp.Op.EQUAL,
                            io.etcd.jetcd.op.CmpTarget.createRevision(0)))
                    .Then(io.etcd.jetcd.op.Op.put(key, mine, withLease))
                    .Else(io.etcd.jetcd.op.Op.get(key, GetOption.DEFAULT))
                    .commit().get(EtcdClients.OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (r.isSucceeded()) {
                held.put(id, r.getHeader().getRevision()); // the key was created in this transaction
                LOG.log(Level.INFO, "etcd: " + me + " writes " + id);
                return true;
            }
            List<KeyValue> kvs = r.getGetResponses().isEmpty() ? List.of() : r.getGetResponses().get(0).getKvs();
            if (!kvs.isEmpty() && kvs.get(0).getValue().equals(mine)) {
                if (kvs.get(0).getLease() != l) {
                    io.etcd.jetcd.kv.TxnResponse moved = client.getKVClient().txn()
                            .If(new io.etcd.jetcd.op.Cmp(key, io.etcd.jetcd.op.Cmp.Op.EQUAL,
                                    io.etcd.jetcd.op.CmpTarget.value(mine)))
                            .Then(io.etcd.jetcd.op.Op.put(key, mine, withLease))
                            .commit().get(EtcdClients.OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    if (!moved.isSucceeded()) {
                        return false;
                    }
                }
                held.put(id, kvs.get(0).getCreateRevision());
                return true;
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.log(Level.WARNING, "etcd: cannot take the writer key of " + id + " (" + EtcdClients.why(e)
                    + "); serving it read-only");
            return false;
        }
    }

    @Override
    public long writerRevision(ProjectId id) {
        return held.getOrDefault(id, 0L);
    }

    @Override
    public void releaseWriter(ProjectId id) {
        ByteSequence key = EtcdClients.bytes(FleetKeys.writer(id.uuid()));
        ByteSequence mine = EtcdClients.bytes(me);
        try {
            client.getKVClient().txn()
                    .If(new io.etcd.jetcd.op.Cmp(key, io.etcd.jetcd.op.Cmp.Op.EQUAL, io.etcd.jetcd.op.CmpTarget.value(mine)))
                    .Then(io.etcd.jetcd.op.Op.delete(key, io.etcd.jetcd.options.DeleteOption.DEFAULT))
                    .commit().get(EtcdClients.OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            held.remove(id);
            LOG.log(Level.INFO, "etcd: " + me + " released " + id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.log(Level.WARNING, "etcd: cannot release the writer key of " + id + " (" + EtcdClients.why(e)
                    + "); it goes when this daemon's lease expires");
            held.remove(id);
        }
    }

    /** This daemon's lease, granted on first use and kept alive; lost keys are reported. */
    private long lease() throws ExecutionException, InterruptedException, TimeoutException {
        synchronized (leaseLock) {
            if (lease != 0) {
                return lease;
            }
            long l = client.getLeaseClient().grant(WRITER_LEASE.toSeconds()).get(EtcdClients.OP_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS).getID();
            keepAlive = client.getLeaseClient().keepAlive(l, new io.grpc.stub.StreamObserver<>() {
                @Override
                public void onNext(io.etcd.jetcd.lease.LeaseKeepAliveResponse r) {
                    if (r.getTTL() <= 0) {
                        leaseLost(l, "expired");
                    } else {
                        lastRenewal = System.nanoTime();
                    }
                }

                @Override
                public void onError(Throwable t) {
                    leaseLost(l, EtcdClients.why(t));
                }

                @Override
                public void onCompleted() {
                    leaseLost(l, "keep-alive ended");
                }
            });
            lastRenewal = System.nanoTime();
            lease = l;
            return l;
        }
    }

    private void leaseLost(long l, String why) {
        java.util.Set<ProjectId> lost;
        synchronized (leaseLock) {
            if (lease != l) {
                return;
            }
            lease = 0;
            if (keepAlive != null) {
                keepAlive.close();
                keepAlive = null;
            }
            lost = java.util.Set.copyOf(held.keySet());
            held.clear();
        }
        LOG.log(Level.WARNING, "etcd: the lease of " + me + " is lost (" + why + "); its writer keys ("
                + lost.size() + ") are gone, those projects are served read-only");
        for (var listener : lostListeners) {
            listener.accept(lost);
        }
    }

    /** Each server's copy of the project, by server name (servers that are not listed included). */
    Map<String, ProjectEntry> copies(ProjectId id) {
        return copiesView.getOrDefault(id, Map.of());
    }

    /** The listed servers by name. */
    Map<String, InetSocketAddress> serverNames() {
        return serversView;
    }

    /** The etcd revision the view reflects. */
    long revision() {
        return seenRevision;
    }

    /** Whether the watch is running (false while etcd is away). */
    boolean connected() {
        return connected;
    }

    /** Reads the whole prefix and watches from the revision after it; on failure, tries again in a second. */
    private void resync() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
        try {
            servers.clear();
            copies.clear();
            writerKeys.clear();
            serversChanged = true;
            revision = readAll();
            publish();
            watcher = client.getWatchClient().watch(PREFIX,
                    WatchOption.builder().isPrefix(true).withRevision(revision + 1).build(),
                    response -> loop.execute(() -> apply(response)),
                    error -> loop.execute(() -> failed(error)));
            if (!connected) {
                LOG.log(Level.INFO, "etcd: " + servers.size() + " servers, " + copies.size() + " projects at revision "
                        + revision + "; watching");
            }
            connected = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            if (connected) {
                LOG.log(Level.WARNING, "etcd: cannot read the fleet (" + EtcdClients.why(e) + "); serving what is known, "
                        + "trying again every second");
            }
            connected = false;
            loop.schedule(this::resync, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * Reads every key under the prefix in pages of {@value #PAGE} keys, all at the revision of the
     * first page (one consistent picture, however many projects; a single answer for 100,000 would
     * pass gRPC's message limit).
     *
     * @return that revision
     */
    private long readAll() throws ExecutionException, InterruptedException, TimeoutException {
        ByteSequence end = EtcdClients.bytes(FleetKeys.PREFIX.substring(0, FleetKeys.PREFIX.length() - 1)
                + (char) (FleetKeys.PREFIX.charAt(FleetKeys.PREFIX.length() - 1) + 1));
        ByteSequence from = PREFIX;
        long at = 0;
        while (true) {
            GetOption.Builder o = GetOption.builder().withRange(end).withLimit(PAGE);
            if (at != 0) {
                o.withRevision(at);
            }
            GetResponse r = client.getKVClient().get(from, o.build()).get(EtcdClients.OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (at == 0) {
                at = r.getHeader().getRevision();
            }
            for (KeyValue kv : r.getKvs()) {
                put(kv);
            }
            if (!r.isMore() || r.getKvs().isEmpty()) {
                return at;
            }
            byte[] last = r.getKvs().get(r.getKvs().size() - 1).getKey().getBytes();
            from = ByteSequence.from(java.util.Arrays.copyOf(last, last.length + 1)); // the next key after it
        }
    }

    private static final int PAGE = 5_000;

    private void apply(WatchResponse response) {
        if (watcher == null) {
            return; // a response of a watch already given up
        }
        for (WatchEvent e : response.getEvents()) {
            KeyValue kv = e.getKeyValue();
            if (e.getEventType() == WatchEvent.EventType.PUT) {
                put(kv);
            } else if (e.getEventType() == WatchEvent.EventType.DELETE) {
                delete(kv.getKey().toString(StandardCharsets.UTF_8));
            }
            revision = Math.max(revision, kv.getModRevision());
        }
        publish();
    }

    private void failed(Throwable error) {
        LOG.log(Level.WARNING, "etcd: the watch ended (" + EtcdClients.why(error) + "); reading the fleet again");
        connected = false;
        resync();
    }

    private void put(KeyValue kv) {
        String key = kv.getKey().toString(StandardCharsets.UTF_8);
        byte[] value = kv.getValue().getBytes();
        try {
            FleetKeys.parse(key).ifPresent(k -> {
                if (k instanceof FleetKeys.ServerKey s) {
                    servers.put(s.server(), FleetKeys.decodeAddress(value));
                    serversChanged = true;
                } else if (k instanceof FleetKeys.WriterKey w) {
                    writerKeys.put(new ProjectId(w.project()), new String(value, StandardCharsets.UTF_8));
                    dirty.add(new ProjectId(w.project()));
                } else if (k instanceof FleetKeys.ProjectKey p) {
                    copies.computeIfAbsent(new ProjectId(p.project()), x -> new HashMap<>())
                            .put(p.server(), FleetKeys.decodeEntry(p.project(), value));
                    dirty.add(new ProjectId(p.project()));
                }
            });
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "etcd: ignoring " + key + ": " + e.getMessage());
        }
    }

    private void delete(String key) {
        FleetKeys.parse(key).ifPresent(k -> {
            if (k instanceof FleetKeys.ServerKey s) {
                servers.remove(s.server());
                serversChanged = true;
            } else if (k instanceof FleetKeys.WriterKey w) {
                writerKeys.remove(new ProjectId(w.project()));
                dirty.add(new ProjectId(w.project()));
            } else if (k instanceof FleetKeys.ProjectKey p) {
                dirty.add(new ProjectId(p.project()));
                Map<String, ProjectEntry> c = copies.get(new ProjectId(p.project()));
                if (c != null) {
                    c.remove(p.server());
                    if (c.isEmpty()) {
                        copies.remove(new ProjectId(p.project()));
                    }
                }
            }
        });
    }

    /** Replaces the readers' view: projects held by a listed server, and the servers' addresses. */
    private void publish() {
        if (serversChanged) { // a server came or went: every project's view may change
            serversView = Map.copyOf(servers);
            serverList = List.copyOf(new ArrayList<>(servers.values()));
            dirty.addAll(copies.keySet());
            dirty.addAll(live.keySet());
            dirty.addAll(writerKeys.keySet());
            dirty.addAll(writers.keySet());
            serversChanged = false;
        }
        for (ProjectId id : dirty) {
            Map<String, ProjectEntry> byServer = copies.getOrDefault(id, Map.of());
            ProjectEntry merged = null;
            for (Map.Entry<String, ProjectEntry> e : byServer.entrySet()) {
                if (servers.containsKey(e.getKey())) {
                    merged = merged == null ? e.getValue() : Fleet.newer(merged, e.getValue());
                }
            }
            if (merged == null) {
                live.remove(id);
            } else {
                live.put(id, merged);
            }
            if (byServer.isEmpty()) {
                copiesView.remove(id);
            } else {
                copiesView.put(id, Map.copyOf(byServer));
            }
            String w = writerKeys.get(id);
            if (w == null) {
                writers.remove(id);
            } else {
                writers.put(id, w);
            }
        }
        dirty.clear();
        seenRevision = revision;
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "a fleet change listener failed", e);
            }
        }
    }


    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (watcher != null) {
            watcher.close();
        }
        synchronized (leaseLock) {
            if (keepAlive != null) {
                keepAlive.close();
            }
            if (lease != 0) {
                try { // the keys go at once: another host may take them
                    client.getLeaseClient().revoke(lease).get(EtcdClients.OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    LOG.log(Level.INFO, "etcd: could not revoke the lease of " + me + "; its keys go when it expires");
                }
            }
        }
        client.close();
    }
}
