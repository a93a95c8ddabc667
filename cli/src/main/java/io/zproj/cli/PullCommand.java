package io.zproj.cli;

import io.zproj.cache.ProjectTransfers;
import io.zproj.transport.Addresses;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code zproj pull}: fetch a project into a local root. */
@Command(name = "pull", description = {
        "Fetch a project into <root>/<uuid>: in full, or incrementally when the local copy shares a snapshot",
        "with the server. With several servers, the one with the most advanced history, then the lowest round",
        "trip; if it is down, dies mid-stream or has diverged, the next. A local copy is never overwritten."})
final class PullCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    TlsOptions tls;

    @Parameters(index = "0", paramLabel = "UUID", description = "the project")
    String uuid;

    @Option(names = "--from", required = true, description = "HOST:PORT[,HOST:PORT...] of replica servers")
    String from;

    @Option(names = "--root", required = true, description = "the local dataset to pull into (must exist)")
    String root;

    @Override
    public Integer call() throws IOException {
        ProjectId id = ProjectId.parse(uuid);
        DatasetName rootName = DatasetName.of(root);
        PrintWriter out = spec.commandLine().getOut();
        try (Wiring w = Wiring.open(tls.client()); Progress progress = new Progress("pull", spec.commandLine().getErr(),
                System.console() != null)) {
            if (!w.zfs.exists(rootName)) {
                throw new IOException("local root " + rootName + " does not exist; create it first (zfs create "
                        + rootName + ")");
            }
            ProjectTransfers.PullOutcome r = w.transfers().pull(id, rootName, Addresses.parseList(from), progress);
            progress.close();
            if (r.upToDate()) {
                out.println("zproj: " + id + " is up to date at " + r.snapshot() + " (" + Addresses.format(r.server())
                        + ")");
            } else {
                out.println("zproj: pulled " + id + " " + r.snapshot() + (r.incremental() ? " incrementally" : " in full")
                        + " from " + Addresses.format(r.server()) + ": " + Format.stats(r.stats(), r.elapsed()));
            }
        }
        return 0;
    }
}
