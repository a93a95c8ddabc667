package io.zproj.cli;

import io.zproj.transport.Addresses;
import io.zproj.transport.ProjectEntry;
import io.zproj.transport.Transport;
import io.zproj.transport.TransportClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code zproj ls}: a server's projects. */
@Command(name = "ls", description = "List the projects a replica server holds: newest snapshot, size, quota.")
final class LsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    TlsOptions tls;

    @Option(names = "--from", required = true, description = "HOST:PORT of the replica server")
    String from;

    @Override
    public Integer call() throws IOException {
        try (Transport t = Wiring.transportOnly(tls); TransportClient c = t.connect(Addresses.parse(from), Wiring.clientName())) {
            List<ProjectEntry> projects = c.list();
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-36s  %-28s  %10s  %10s%n", "PROJECT", "NEWEST SNAPSHOT", "USED", "QUOTA");
            for (ProjectEntry p : projects) {
                out.printf("%-36s  %-28s  %10s  %10s%n", p.id(), p.newest().map(s -> "@" + s.name()).orElse("-"),
                        Format.bytes(p.usedBytes()), p.quotaBytes() == 0 ? "none" : Format.bytes(p.quotaBytes()));
            }
            out.println(projects.size() + " projects on " + c.serverName() + " (" + Addresses.format(c.address()) + ")");
        }
        return 0;
    }
}
