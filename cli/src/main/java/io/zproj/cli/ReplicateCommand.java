package io.zproj.cli;

import io.zproj.cache.Replication;
import io.zproj.transport.Addresses;
import io.zproj.transport.ProjectEntry;
import io.zproj.transport.Transport;
import io.zproj.transport.TransportClient;
import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code zproj replicate}: bring one replica's copies up to another's. */
@Command(name = "replicate", description = {
        "Bring the projects on --to up to --from's newest snapshots, as the planner says: in full where --to",
        "lacks a project, incrementally where it is behind, nothing where it is current. The stream is relayed",
        "through this process (nothing stored here). A project whose copies diverged is named and left as it is."})
final class ReplicateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    TlsOptions tls;

    @Parameters(paramLabel = "UUID", arity = "0..*", description = "the projects (or --all)")
    List<String> uuids = new ArrayList<>();

    @Option(names = "--from", required = true, description = "HOST:PORT of the replica to copy from")
    String from;

    @Option(names = "--to", required = true, description = "HOST:PORT of the replica to bring up to date")
    String to;

    @Option(names = "--all", description = "every project --from holds")
    boolean all;

    @Override
    public Integer call() throws IOException {
        if (all == !uuids.isEmpty()) {
            throw new IllegalArgumentException("name the projects, or give --all (not both)");
        }
        InetSocketAddress source = Addresses.parse(from);
        InetSocketAddress target = Addresses.parse(to);
        if (source.equals(target)) {
            throw new IllegalArgumentException("--from and --to are the same replica");
        }
        List<ProjectId> ids = new ArrayList<>();
        uuids.forEach(u -> ids.add(ProjectId.parse(u)));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int failed = 0;
        try (Transport t = Wiring.transportOnly(tls)) {
            if (all) {
                try (TransportClient c = t.connect(source, Wiring.clientName())) {
                    for (ProjectEntry p : c.list()) {
                        ids.add(new ProjectId(p.id()));
                    }
                }
            }
            Replication transfers = new Replication(t, t.name(Wiring.clientName()));
            for (int i = 0; i < ids.size(); i++) {
                ProjectId id = ids.get(i);
                String n = "[" + (i + 1) + "/" + ids.size() + "] ";
                try (Progress progress = new Progress("replicate", err, System.console() != null)) {
                    Replication.ReplicateOutcome r = transfers.replicate(id, source, target, progress);
                    progress.close();
                    out.println(n + id + (r.upToDate() ? ": up to date at " + r.snapshot()
                            : ": sent " + r.snapshot() + (r.incremental() ? " incrementally" : " in full") + ", "
                                    + Format.stats(r.stats(), r.elapsed())));
                } catch (IOException | RuntimeException e) {
                    failed++;
                    out.println(n + id + ": not replicated: " + e.getMessage());
                }
                out.flush();
            }
        }
        out.println("zproj: " + (ids.size() - failed) + " of " + ids.size() + " projects on "
                + Addresses.format(target) + " are at " + Addresses.format(source) + "'s newest snapshot");
        return failed == 0 ? 0 : 1;
    }
}
