package io.zproj.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zproj resolve}: settle a conflicted project. */
@Command(name = "resolve", description = {
        "Settle a conflicted project. --keep local: each diverged replica's copy is set aside there",
        "(renamed <uuid>-conflict-<time>, kept with its snapshots) and replaced by the local copy.",
        "--keep remote: the local copy is set aside in the cache the same way and the replica's is fetched."})
final class ResolveCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "UUID", description = "the project")
    String uuid;

    @Option(names = "--keep", required = true, description = "local or remote")
    String keep;

    @Mixin
    Control daemon;

    @Override
    public Integer call() throws IOException {
        io.zproj.zfs.ProjectId.parse(uuid);
        if (!keep.equals("local") && !keep.equals("remote")) {
            throw new IllegalArgumentException("--keep must be local or remote, not '" + keep + "'");
        }
        return daemon.print("resolve " + uuid + " " + keep);
    }
}
