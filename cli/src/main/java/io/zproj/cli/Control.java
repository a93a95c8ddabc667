package io.zproj.cli;

import io.zproj.cache.ControlServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The commands that talk to a running mount daemon over its control socket mix this in: their
 * {@code --state} option (which daemon) and the request itself.
 */
final class Control {

    static final Path DEFAULT_STATE = Path.of("/var/lib/zproj/client");

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--state", description = "the mount daemon's state directory (default /var/lib/zproj/client)")
    Path state;

    /** Sends a request, prints the answer without its final OK/FAILED line, returns the exit code. */
    int print(String request) throws IOException {
        List<String> lines = ControlServer.call(state == null ? DEFAULT_STATE : state.toAbsolutePath(), request);
        PrintWriter out = spec.commandLine().getOut();
        boolean ok = !lines.isEmpty() && lines.get(lines.size() - 1).equals("OK");
        for (String line : lines.subList(0, Math.max(0, lines.size() - 1))) {
            out.println(line);
        }
        out.flush();
        return ok ? 0 : 1;
    }
}
