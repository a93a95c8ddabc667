package io.zproj.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code zproj status}: the cached projects of a running mount. */
@Command(name = "status", description = {
        "List the cached projects of a running mount: size, clean/dirty/conflicted, per replica the acked",
        "snapshot and how far behind it is, any fetch or write-back in progress."})
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--json", description = "one JSON array, for scripts (sizes in bytes)")
    boolean json;

    @Option(names = "--bytes", description = "sizes to the byte, not as 5.1 MiB")
    boolean bytes;

    @Mixin
    Control daemon;

    @Override
    public Integer call() throws IOException {
        if (json && bytes) {
            throw new IllegalArgumentException("--json already gives sizes in bytes; give one of them");
        }
        return daemon.print(json ? "status --json" : bytes ? "status --bytes" : "status");
    }
}
