package io.zproj.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zproj take} and {@code zproj release}: who writes a project, with a mount on etcd. */
final class WriterCommands {

    private WriterCommands() {}

    /** A request about one project to the running mount daemon: the project, and which daemon to ask. */
    abstract static class Base implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "UUID", description = "the project")
        String uuid;

        @Mixin
        Control daemon;

        abstract String verb();

        @Override
        public Integer call() throws IOException {
            io.zproj.zfs.ProjectId.parse(uuid);
            return daemon.print(verb() + " " + uuid);
        }
    }

    @Command(name = "take", description = {
            "Make this host the project's writer now: take its writer key if no host holds it, bring the local",
            "copy up to the newest snapshot, make it writable. Says who writes it otherwise (exit 1)."})
    static final class Take extends Base {
        @Override
        String verb() {
            return "take";
        }
    }

    @Command(name = "release", description = {
            "Let another host write the project: write it back, make the local copy read-only, let the writer",
            "key go. Keeps the key if the write-back fails (exit 1)."})
    static final class Release extends Base {
        @Override
        String verb() {
            return "release";
        }
    }
}
