package io.zproj.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zproj sync}: write back now and wait for every replica's ack. */
@Command(name = "sync", description = {
        "Write back now: snapshot each project with local changes and send it to every replica.",
        "Returns when every replica has acked, or says which did not (exit 1)."})
final class SyncCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "UUID", description = "one project (default: every cached project)")
    String uuid;

    @Mixin
    Control daemon;

    @Override
    public Integer call() throws IOException {
        return daemon.print(uuid == null ? "sync" : "sync " + uuid);
    }
}
