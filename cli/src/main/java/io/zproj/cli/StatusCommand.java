package io.zproj.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code zproj status}: the cached projects of a running mount. */
@Command(name = "status", description = {
        "List the cached projects of a running mount: size, clean/dirty/conflicted, per replica the acked",
        "snapshot and how far behind it is, any fetch or write-back in progress."})
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "one JSON array, for scripts (sizes in bytes)")
    boolean json;

    @Option(names = "--bytes", description = "sizes to the byte, not as 5.1 MiB")
    boolean bytes;

    @Option(names = "--state", description = "the mount daemon's state directory (default /var/lib/zproj/client)")
    Path state;

    @Override
    public Integer call() throws IOException {
        if (json && bytes) {
            throw new IllegalArgumentException("--json already gives sizes in bytes; give one of them");
        }
        return Control.print(spec, state, json ? "status --json" : bytes ? "status --bytes" : "status");
    }
}
