package io.zproj.cli;

import io.zproj.cache.ProjectTransfers;
import io.zproj.transport.Addresses;
import io.zproj.zfs.DatasetName;
import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code zproj push}: snapshot a local copy and send it to a server. */
@Command(name = "push", description = {
        "Snapshot <root>/<uuid> and send it to a server, incrementally from the server's newest snapshot",
        "(in full if the server does not hold the project). Refused, with nothing changed on either side,",
        "if the server has moved on from what the local copy has."})
final class PushCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    TlsOptions tls;

    @Parameters(index = "0", paramLabel = "UUID", description = "the project")
    String uuid;

    @Option(names = "--to", required = true, description = "HOST:PORT of the replica server")
    String to;

    @Option(names = "--root", required = true, description = "the local dataset that holds the project")
    String root;

    @Override
    public Integer call() throws IOException {
        ProjectId id = ProjectId.parse(uuid);
        DatasetName rootName = DatasetName.of(root);
        try (Wiring w = Wiring.open(tls.client()); Progress progress = new Progress("push", spec.commandLine().getErr(),
                System.console() != null)) {
            ProjectTransfers.PushOutcome r = w.transfers().push(id, rootName, Addresses.parse(to), progress);
            progress.close();
            spec.commandLine().getOut().println("zproj: pushed " + id + " " + r.ack().snapshot()
                    + (r.incremental() ? " incrementally" : " in full") + " to " + Addresses.format(r.server()) + ": "
                    + Format.stats(r.stats(), r.elapsed()));
        }
        return 0;
    }
}
