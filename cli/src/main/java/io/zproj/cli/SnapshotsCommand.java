package io.zproj.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zproj snapshots UUID}: a cached project's snapshots, with ages and sizes. */
@Command(name = "snapshots", description = {
        "List a cached project's snapshots, oldest first: when each was taken (\"3 hours ago\"), its size then",
        "and what it alone holds. --remote adds those only the replicas hold, and who holds each.",
        "Browse them, read-only, at /projects/.snapshots/UUID/NAME/."})
final class SnapshotsCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "UUID", description = "the project")
    String uuid;

    @Option(names = "--remote", description = "also the snapshots the replicas hold (asks each)")
    boolean remote;

    @Option(names = "--json", description = "one JSON array, for scripts (sizes in bytes)")
    boolean json;

    @Option(names = "--bytes", description = "sizes to the byte, not as 5.1 MiB")
    boolean bytes;

    @Mixin
    Control daemon;

    @Override
    public Integer call() throws IOException {
        io.zproj.zfs.ProjectId.parse(uuid);
        return daemon.print("snapshots " + uuid + (remote ? " --remote" : "") + (json ? " --json" : "")
                + (bytes ? " --bytes" : ""));
    }
}
