package io.zproj.cli;

import io.zproj.cache.ControlServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** Talks to a running mount daemon over its control socket. */
final class Control {

    static final Path DEFAULT_STATE = Path.of("/var/lib/zproj/client");

    private Control() {}

    /** Sends a request, prints the answer without its final OK/FAILED line, returns the exit code. */
    static int print(CommandSpec spec, Path state, String request) throws IOException {
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
