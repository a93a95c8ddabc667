package io.zproj.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code zproj sync}: write back now and wait for every replica's ack. */
@Command(name = "sync", description = {
        "Write back now: snapshot each project with local changes and send it to every replica.",
        "Returns when every replica has acked, or says which did not (exit 1)."})
final class SyncCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "UUID", description = "one project (default: every cached project)")
    String uuid;

    @Option(names = "--state", description = "the mount daemon's state directory (default /var/lib/zproj/client)")
    Path state;

    @Override
    public Integer call() throws IOException {
        return Control.print(spec, state, uuid == null ? "sync" : "sync " + uuid);
    }
}
