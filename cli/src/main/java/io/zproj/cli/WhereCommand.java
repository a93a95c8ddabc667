package io.zproj.cli;

import io.zproj.cache.FleetReport;
import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code zproj where}: who writes a project and which servers hold it at which head, from etcd. */
@Command(name = "where", description = "Show a project's writer (if any) and each server's copy with its head, "
        + "as the servers and mounts publish them in etcd.")
final class WhereCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "UUID", description = "the project")
    String uuid;

    @Option(names = "--etcd", required = true, paramLabel = "URL[,URL...]", defaultValue = "${env:ZPROJ_ETCD}",
            description = "etcd endpoints (default: $ZPROJ_ETCD)")
    String etcd;

    @picocli.CommandLine.Mixin
    TlsOptions tls;

    @Override
    public Integer call() throws IOException {
        ProjectId id = ProjectId.parse(uuid);
        for (String line : FleetReport.where(EtcdOptions.endpoints(etcd), tls.client(), id)) {
            spec.commandLine().getOut().println(line);
        }
        return 0;
    }
}
