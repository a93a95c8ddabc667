package io.zproj.cli;

import io.zproj.server.ReplicaServer;
import io.zproj.server.ServerConfig;
import io.zproj.transport.Addresses;
import io.zproj.zfs.DatasetName;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import io.zproj.transport.tls.NodeTls;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code zproj server}: serve the projects under a root dataset until SIGTERM. */
@Command(name = "server", description = {
        "Serve every project <root>/<uuid> to clients, and receive their write-backs.",
        "Runs until SIGTERM or Ctrl-C; in-flight receives are then aborted, leaving nothing partial."})
final class ServerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--root", required = true, description = "an existing dataset whose children are projects, e.g. projects or tank/zproj")
    String root;

    @Option(names = "--listen", required = true, description = "HOST:PORT to listen on, e.g. 127.0.0.1:7070")
    String listen;

    @Option(names = "--state", description = "directory for the catalog (default /var/lib/zproj/server-<root>)")
    Path state;

    @Option(names = "--allow", paramLabel = "FILE", description = "which client names may touch which projects: lines"
            + " of NAME then project ids or * (read again when it changes; default: every client, every project)")
    Path allow;

    @Mixin
    TlsOptions tls;

    @Option(names = "--etcd", paramLabel = "URL[,URL...]", description = "etcd endpoints: publish this server and"
            + " every project it holds there, under a lease (default none: clients list this server themselves)")
    String etcd;

    @Option(names = "--advertise", paramLabel = "HOST:PORT", description = "the address clients dial, published in"
            + " etcd (default: the --listen address; needed when listening on 0.0.0.0)")
    String advertise;

    @Option(names = "--name", description = "this server's name in handshakes and logs (default: the name in its"
            + " certificate, HOST:PORT without TLS)")
    String name;

    @Option(names = "--keep", defaultValue = "all=1h,hourly=1d,daily=14d,weekly=61d",
            description = "which zproj snapshots to keep after each write-back (default ${DEFAULT-VALUE})")
    String keep;

    @Option(names = "--hold-max-age", defaultValue = "30d",
            description = "how long the snapshot a client or replica is based on stays held after its last transfer"
                    + " of the project; a peer gone for longer lets go (default ${DEFAULT-VALUE})")
    String holdMaxAge;

    @Option(names = "--peers", description = "HOST:PORT[,HOST:PORT...] of the other replicas: after every rescan,"
            + " each project this server holds is sent to a peer that lacks it or is behind (default none)")
    String peers;

    @Mixin
    private MetricsOption metrics;

    @Option(names = "--copies", defaultValue = "0", description = "how many replicas (this one and its --peers) should"
            + " hold every project; fewer is logged after each catch-up (default 0: not checked)")
    int copies;

    @Override
    public Integer call() throws IOException, InterruptedException {
        DatasetName rootName = DatasetName.of(root);
        InetSocketAddress address = Addresses.parse(listen);
        address = new InetSocketAddress(address.getHostString(), address.getPort());
        ServerConfig config = ServerConfig.of(rootName, address);
        if (state != null) {
            config = config.withStateDir(state.toAbsolutePath());
        }
        if (name != null) {
            config = config.withName(name);
        }
        config = config.withKeep(io.zproj.zfs.KeepPolicy.parse(keep)).withHoldMaxAge(Durations.parse(holdMaxAge));
        if (peers != null && !peers.isBlank()) {
            config = config.withPeers(Addresses.parseList(peers));
        }
        config = config.withCopies(copies);
        Optional<NodeTls> nodeTls = tls.server(address);
        if (name == null && nodeTls.isPresent()) {
            config = config.withName(nodeTls.get().identity().name());
        }
        if (etcd != null && !etcd.isBlank()) {
            config = config.withEtcd(EtcdOptions.endpoints(etcd), Optional.ofNullable(advertise).map(a -> {
                InetSocketAddress at = Addresses.parse(a);
                return new InetSocketAddress(at.getHostString(), at.getPort());
            }));
        } else if (advertise != null) {
            throw new IllegalArgumentException("--advertise is what this server publishes in etcd: give --etcd too");
        }
        if (allow != null) {
            config = config.withAllowList(allow.toAbsolutePath());
        }
        Optional<io.zproj.transport.MetricsEndpoint> endpoint = metrics.start();
        Wiring wiring = Wiring.open(nodeTls);
        ReplicaServer server;
        try {
            server = ReplicaServer.start(wiring.zfs, wiring.transport, config, Clock.systemUTC());
        } catch (IOException | RuntimeException e) {
            wiring.close();
            endpoint.ifPresent(io.zproj.transport.MetricsEndpoint::close);
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            wiring.close();
            endpoint.ifPresent(io.zproj.transport.MetricsEndpoint::close);
            stopped.countDown();
        }, "zproj-shutdown"));
        spec.commandLine().getOut().println("zproj server: serving " + server.list().size() + " projects of "
                + rootName + " on " + Addresses.format(server.address()) + " (state " + config.stateDir() + ")");
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
