package io.zproj.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zproj changes UUID --since 1h}: the files added, changed and removed lately. */
@Command(name = "changes", description = {
        "List the files added, changed and removed in a cached project within a window before now, newest",
        "first: the live tree compared with the newest snapshot taken before the window began (or the oldest,",
        "if the copy's history is shorter). Removed files show when they were last changed."})
final class ChangesCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "UUID", description = "the project")
    String uuid;

    @Option(names = "--since", defaultValue = "1d", description = "the window: 10m, 1h, 1d, 1w, ... (default ${DEFAULT-VALUE})")
    String since;

    @Option(names = "--json", description = "one JSON object, for scripts")
    boolean json;

    @Mixin
    Control daemon;

    @Override
    public Integer call() throws IOException {
        io.zproj.zfs.ProjectId.parse(uuid);
        java.time.Duration window = Durations.parse(since);
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("--since must be a positive duration, not '" + since + "'");
        }
        return daemon.print("changes " + uuid + " --since " + window + (json ? " --json" : ""));
    }
}
