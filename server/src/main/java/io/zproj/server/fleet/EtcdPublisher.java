package io.zproj.server.fleet;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import io.zproj.transport.Addresses;
import io.zproj.transport.ErrorCode;
import io.zproj.transport.ProjectEntry;
import io.zproj.transport.ServiceException;
import io.zproj.transport.fleet.EtcdClients;
import io.zproj.transport.fleet.FleetKeys;
import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A replica server's entries in etcd ({@link FleetKeys}): its address and each project it holds
 * with its head, under a lease it keeps alive, written on every change. One thread writes, in
 * the order changes happen. If etcd goes away the server keeps serving; when a write fails or
 * the lease is lost, everything is written again under a new lease as soon as etcd answers
 * (checked every few seconds). {@link #close()} revokes the lease: the server's keys go at once.
 */
public final class EtcdPublisher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EtcdPublisher.class.getName());
    /** How long a server that stops keeping its lease alive stays listed. */
    public static final Duration LEASE_TTL = Duration.ofSeconds(10);

    private final Client client;
    private final KV kv;
    private final String server;
    private final InetSocketAddress advertise;
    private final Supplier<Collection<ProjectEntry>> all;
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(
            new io.netty.util.concurrent.DefaultThreadFactory("zproj-etcd-publisher", true));
    private long lease;
    private CloseableClient keepAlive;
    private volatile boolean stale = true;

    private EtcdPublisher(Client client, String server, InetSocketAddress advertise,
            Supplier<Collection<ProjectEntry>> all) {
        this.client = client;
        this.kv = client.getKVClient();
        this.server = server;
        this.advertise = advertise;
        this.all = all;
    }

    /**
     * Connects, takes a lease and publishes everything; keeps trying in the background if etcd
     * does not answer now.
     *
     * @param all every project the server holds now (read again after a lost lease)
     */
    public static EtcdPublisher start(List<URI> endpoints, java.util.Optional<io.zproj.transport.tls.NodeTls> tls,
            String server, InetSocketAddress advertise, Supplier<Collection<ProjectEntry>> all) {
        EtcdPublisher p = new EtcdPublisher(EtcdClients.connect(endpoints, tls), server,
                advertise, all);
        try {
            p.writer.submit(p::republishIfStale).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // logged by republishIfStale; retried below
        }
        p.writer.scheduleWithFixedDelay(p::republishIfStale, 2, 2, TimeUnit.SECONDS);
        return p;
    }

    /** Publishes the project's entry (its new head, size or quota). */
    public void put(ProjectEntry e) {
        writer.execute(() -> write(() -> kv.put(EtcdClients.bytes(FleetKeys.project(e.id(), server)),
                ByteSequence.from(FleetKeys.encodeEntry(e)), PutOption.builder().withLeaseId(lease).build())
                .get(EtcdClients.OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)));
    }

    /** The server no longer holds the project. */
    public void delete(ProjectId id) {
        writer.execute(() -> write(() -> kv.delete(EtcdClients.bytes(FleetKeys.project(id.uuid(), server)))
                .get(EtcdClients.OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)));
    }

    private interface Op {
        void run() throws Exception;
    }

    private void write(Op op) {
        if (stale) {
            return; // the next republish writes everything
        }
        try {
            op.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "etcd: publishing a change of " + server + " failed (" + EtcdClients.why(e)
                    + "); everything is published again when etcd answers");
            stale = true;
        }
    }

    /** Takes a new lease and writes the server's address and every project under it, if anything was lost. */
    private void republishIfStale() {
        if (!stale) {
            return;
        }
        try {
            if (keepAlive != null) {
                keepAlive.close();
            }
            lease = client.getLeaseClient().grant(LEASE_TTL.toSeconds()).get(EtcdClients.OP_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS).getID();
            PutOption withLease = PutOption.builder().withLeaseId(lease).build();
            kv.put(EtcdClients.bytes(FleetKeys.server(server)), ByteSequence.from(FleetKeys.encodeAddress(advertise)),
                    withLease)
                    .get(EtcdClients.OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            int n = 0;
            for (ProjectEntry e : all.get()) {
                kv.put(EtcdClients.bytes(FleetKeys.project(e.id(), server)),
                        ByteSequence.from(FleetKeys.encodeEntry(e)), withLease)
                        .get(EtcdClients.OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                n++;
            }
            long leaseId = lease;
            keepAlive = client.getLeaseClient().keepAlive(leaseId, new StreamObserver<>() {
                @Override
                public void onNext(LeaseKeepAliveResponse r) {
                    if (r.getTTL() <= 0) {
                        lost(leaseId, "expired");
                    }
                }

                @Override
                public void onError(Throwable t) {
                    lost(leaseId, EtcdClients.why(t));
                }

                @Override
                public void onCompleted() {
                    lost(leaseId, "keep-alive ended");
                }
            });
            stale = false;
            LOG.log(Level.INFO, "etcd: published " + server + " at " + Addresses.format(advertise) + " with " + n
                    + " projects (lease " + Long.toHexString(leaseId) + ", " + LEASE_TTL.toSeconds() + " s)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.log(Level.WARNING, "etcd: cannot publish " + server + " (" + EtcdClients.why(e) + "); trying again");
        }
    }

    private void lost(long leaseId, String why) {
        writer.execute(() -> {
            if (leaseId == lease && !stale) {
                LOG.log(Level.WARNING, "etcd: lease of " + server + " lost (" + why + "); publishing again");
                stale = true;
            }
        });
    }



    /**
     * Fencing: that {@code peer} holds the project's writer key now, taken at {@code revision}
     * (any revision if 0). Asks etcd, never a cache: a writer paused past its lease is refused.
     *
     * @throws ServiceException NOT_WRITER if it does not (nothing is changed), UNAVAILABLE if etcd
     *                          does not answer
     */
    public void checkWriter(ProjectId id, String peer, long revision) throws ServiceException {
        io.etcd.jetcd.kv.GetResponse r;
        try {
            r = kv.get(EtcdClients.bytes(FleetKeys.writer(id.uuid())))
                    .get(EtcdClients.OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceException(ErrorCode.UNAVAILABLE, "interrupted while checking the writer of " + id);
        } catch (ExecutionException | TimeoutException e) {
            throw new ServiceException(ErrorCode.UNAVAILABLE, "cannot check the writer key of " + id + " in etcd ("
                    + EtcdClients.why(e) + "); try again");
        }
        if (r.getKvs().isEmpty()) {
            throw new ServiceException(ErrorCode.NOT_WRITER, peer + " does not hold the writer key of " + id
                    + " (no host does: it was let go, or its lease expired); nothing was changed");
        }
        io.etcd.jetcd.KeyValue k = r.getKvs().get(0);
        String holder = k.getValue().toString(java.nio.charset.StandardCharsets.UTF_8);
        if (!holder.equals(peer) || (revision != 0 && k.getCreateRevision() != revision)) {
            throw new ServiceException(ErrorCode.NOT_WRITER, peer + " does not hold the writer key of " + id + ": "
                    + holder + " does, since etcd revision " + k.getCreateRevision()
                    + (revision != 0 ? " (the push was made as its writer since revision " + revision + ")" : "")
                    + "; nothing was changed");
        }
    }

    /** Revokes the lease (the server's keys disappear at once) and disconnects. */
    @Override
    public void close() {
        writer.shutdownNow();
        try {
            writer.awaitTermination(EtcdClients.OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (keepAlive != null) {
                keepAlive.close();
            }
            if (!stale) {
                client.getLeaseClient().revoke(lease).get(EtcdClients.OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.INFO, "etcd: could not revoke the lease of " + server + " (" + EtcdClients.why(e)
                    + "); its keys go when it expires");
        } finally {
            client.close();
        }
    }
}
