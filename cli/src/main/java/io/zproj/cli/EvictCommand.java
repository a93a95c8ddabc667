package io.zproj.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code zproj evict}: take one project out of the local cache, if every replica has it. */
@Command(name = "evict", description = {
        "Remove a project from the local cache: written back first, then unmounted and destroyed, but only",
        "if every replica holds its newest snapshot. Says why not otherwise (exit 1)."})
final class EvictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "UUID", description = "the project")
    String uuid;

    @Option(names = "--state", description = "the mount daemon's state directory (default /var/lib/zproj/client)")
    Path state;

    @Override
    public Integer call() throws IOException {
        io.zproj.zfs.ProjectId.parse(uuid);
        return Control.print(spec, state, "evict " + uuid);
    }
}
